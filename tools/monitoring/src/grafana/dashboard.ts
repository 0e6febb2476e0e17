import { PROMETHEUS } from './datasources';
import { SCHEMA_VERSION, type CustomVariable, type Dashboard, type DashboardLink, type PrometheusAnnotation } from './model';
import { layout, type Section } from './panels';

/** Every generated dashboard carries this tag; the "Dashboards" menu of each one lists them all. */
export const DASHBOARD_TAG = 'ai-finance';

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  sections: Section[];
  time?: string;
  links?: DashboardLink[];
  variables?: CustomVariable[];
  annotations?: PrometheusAnnotation[];
}

export function dashboard(spec: DashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG, ...spec.tags],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: false,
    graphTooltip: 1,
    timezone: 'browser',
    time: { from: spec.time ?? 'now-6h', to: 'now' },
    refresh: '1m',
    links: [
      link({ title: 'Dashboards', type: 'dashboards', url: '', icon: 'dashboard', tags: [DASHBOARD_TAG], asDropdown: true, keepTime: true }),
      ...(spec.links ?? []),
    ],
    annotations: { list: spec.annotations ?? [] },
    templating: { list: spec.variables ?? [] },
    panels: layout(spec.sections),
  };
}

type LinkSpec = Pick<DashboardLink, 'title' | 'url' | 'icon'> & Partial<DashboardLink>;

export function link(spec: LinkSpec): DashboardLink {
  return { type: 'link', tooltip: '', tags: [], asDropdown: false, includeVars: false, keepTime: false, targetBlank: false, ...spec };
}

/** A multi-value variable with a fixed list of values, "All" selected by default. */
export function customVariable(name: string, label: string, values: string[]): CustomVariable {
  return {
    type: 'custom',
    name,
    label,
    query: values.join(','),
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [
      { selected: true, text: 'All', value: '$__all' },
      ...values.map((value) => ({ selected: false, text: value, value })),
    ],
    hide: 0,
  };
}

/** Marks on every time series where an alert of `selector` started firing. */
export function alertAnnotation(name: string, selector: string): PrometheusAnnotation {
  return {
    name,
    datasource: PROMETHEUS,
    enable: true,
    iconColor: 'red',
    expr: `ALERTS{${selector}}`,
    titleFormat: '{{alertname}}',
    textFormat: '{{severity}} {{service}}',
    tagKeys: 'severity,category',
    step: '1m',
    useValueForTime: false,
  };
}
