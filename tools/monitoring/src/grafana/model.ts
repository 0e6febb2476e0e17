/*
 * The part of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10.4 to 12) that the generated
 * dashboards use. Grafana migrates a dashboard of an older schemaVersion when it loads it, never the other
 * way, so 39 keeps the files loadable by every Grafana from 10.4 on.
 */

export const SCHEMA_VERSION = 39;

export type DatasourceType = 'prometheus' | 'alertmanager' | 'elasticsearch' | 'jaeger';

export interface DatasourceRef {
  type: DatasourceType;
  uid: string;
}

export interface PrometheusTarget {
  refId: string;
  datasource: DatasourceRef;
  editorMode: 'code';
  expr: string;
  legendFormat?: string;
  range: boolean;
  instant: boolean;
  format?: 'table';
  exemplar?: boolean;
}

export interface ElasticsearchLogsTarget {
  refId: string;
  datasource: DatasourceRef;
  /** Lucene query. */
  query: string;
  metrics: Array<{ id: string; type: 'logs' }>;
  bucketAggs: never[];
  timeField: string;
}

export type Target = PrometheusTarget | ElasticsearchLogsTarget;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export interface ValueMapping {
  type: 'value';
  options: Record<string, { text: string; color: string; index: number }>;
}

export interface FieldConfig {
  defaults: {
    unit?: string;
    min?: number;
    max?: number;
    decimals?: number;
    displayName?: string;
    color?: { mode: string };
    thresholds?: { mode: 'absolute'; steps: ThresholdStep[] };
    mappings?: ValueMapping[];
    custom?: Record<string, unknown>;
  };
  overrides: FieldOverride[];
}

/** Settings for the fields (table columns, series) of one name. */
export interface FieldOverride {
  matcher: { id: 'byName'; options: string };
  properties: Array<{ id: string; value: unknown }>;
}

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DatasourceRef;
  targets?: Target[];
  fieldConfig?: FieldConfig;
  options?: Record<string, unknown>;
  transformations?: Transformation[];
  /** Rows only. */
  collapsed?: boolean;
  panels?: Panel[];
  repeat?: string;
}

export interface CustomVariable {
  type: 'custom';
  name: string;
  label: string;
  query: string;
  multi: boolean;
  includeAll: boolean;
  current: { selected: boolean; text: string[]; value: string[] };
  options: Array<{ selected: boolean; text: string; value: string }>;
  hide: 0;
}

export interface DashboardLink {
  title: string;
  type: 'link' | 'dashboards';
  url: string;
  tooltip: string;
  icon: 'dashboard' | 'doc' | 'external link' | 'info';
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
  targetBlank: boolean;
}

export interface PrometheusAnnotation {
  name: string;
  datasource: DatasourceRef;
  enable: boolean;
  iconColor: string;
  expr: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  step: string;
  useValueForTime: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  timezone: 'browser';
  time: { from: string; to: string };
  refresh: string;
  links: DashboardLink[];
  annotations: { list: PrometheusAnnotation[] };
  templating: { list: CustomVariable[] };
  panels: Panel[];
}
