import { ELASTICSEARCH, LOG_FIELDS, PROMETHEUS } from './datasources';
import type { FieldConfig, FieldOverride, Panel, PrometheusTarget, ThresholdStep, Transformation, ValueMapping } from './model';

/*
 * Typed builders for the few panel kinds the dashboards use, and a layout that gives every panel its id
 * and grid position. A panel is described by what it shows (title, queries, unit, thresholds); the JSON
 * details Grafana wants are filled in here, once.
 */

export interface Query {
  expr: string;
  legend?: string;
}

export const query = (expr: string, legend?: string): Query => ({ expr, legend });

/** A panel before layout: its size, not yet its place or id. */
export type PanelSpec = Omit<Panel, 'id' | 'gridPos'> & { size: { w: number; h: number } };

type Color = 'green' | 'yellow' | 'orange' | 'red' | 'blue' | 'text';

/** Threshold steps: the base colour, then each colour from its value up. */
export const steps = (base: Color, ...above: Array<[number, Color]>): ThresholdStep[] => [
  { color: base, value: null },
  ...above.map(([value, color]) => ({ color, value })),
];

/** Value mappings for a 0/1 gauge such as up or probe_success. */
export const upDown = (up = 'UP', down = 'DOWN'): ValueMapping[] => [
  {
    type: 'value',
    options: { '0': { text: down, color: 'red', index: 0 }, '1': { text: up, color: 'green', index: 1 } },
  },
];

/** Red from an alert's threshold up, drawn as a dashed line on a time series. */
export const alertLine = (threshold: number) => ({ thresholds: steps('green', [threshold, 'red']), thresholdLines: true });

export interface PanelOptions {
  description?: string;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdStep[];
  mappings?: ValueMapping[];
  w?: number;
  h?: number;
}

export interface TimeseriesOptions extends PanelOptions {
  stack?: boolean;
  /** Show the thresholds as dashed lines (an SLO threshold, an alert threshold). */
  thresholdLines?: boolean;
  /** Ask Prometheus for exemplars: their trace_id opens the trace in Jaeger. */
  exemplars?: boolean;
}

interface TargetOptions {
  instant: boolean;
  table?: boolean;
  exemplars?: boolean;
}

const refId = (index: number) => String.fromCharCode(65 + index);

function targets(queries: Query[], { instant, table, exemplars }: TargetOptions): PrometheusTarget[] {
  return queries.map(({ expr, legend }, index) => ({
    refId: refId(index),
    datasource: PROMETHEUS,
    editorMode: 'code',
    expr,
    ...(legend === undefined ? {} : { legendFormat: legend }),
    range: !instant,
    instant,
    ...(table ? { format: 'table' as const } : {}),
    ...(exemplars ? { exemplar: true } : {}),
  }));
}

/** Series take the palette's colours on a graph (thresholds are lines there), the thresholds' colours elsewhere. */
function fieldConfig(options: PanelOptions, graph: boolean, custom?: Record<string, unknown>, overrides: FieldOverride[] = []): FieldConfig {
  const { unit, min, max, decimals, thresholds, mappings } = options;
  return {
    defaults: {
      ...(unit === undefined ? {} : { unit }),
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
      ...(decimals === undefined ? {} : { decimals }),
      color: { mode: thresholds && !graph ? 'thresholds' : 'palette-classic' },
      thresholds: { mode: 'absolute', steps: thresholds ?? steps('green') },
      ...(mappings ? { mappings } : {}),
      ...(custom ? { custom } : {}),
    },
    overrides,
  };
}

interface Prometheus {
  type: string;
  title: string;
  queries: Query[];
  options: PanelOptions;
  size: { w: number; h: number };
  target: TargetOptions;
  panelOptions: Record<string, unknown>;
  custom?: Record<string, unknown>;
  overrides?: FieldOverride[];
  transformations?: Transformation[];
}

function prometheusPanel({ type, title, queries, options, size, target, panelOptions, custom, overrides, transformations }: Prometheus): PanelSpec {
  return {
    type,
    title,
    ...(options.description ? { description: options.description } : {}),
    datasource: PROMETHEUS,
    targets: targets(queries, target),
    fieldConfig: fieldConfig(options, type === 'timeseries', custom, overrides),
    options: panelOptions,
    ...(transformations ? { transformations } : {}),
    size: { w: options.w ?? size.w, h: options.h ?? size.h },
  };
}

const LAST_VALUE = { calcs: ['lastNotNull'], fields: '', values: false };

export function timeseries(title: string, queries: Query[], options: TimeseriesOptions = {}): PanelSpec {
  return prometheusPanel({
    type: 'timeseries',
    title,
    queries,
    options,
    size: { w: 12, h: 8 },
    target: { instant: false, exemplars: options.exemplars },
    panelOptions: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] }, tooltip: { mode: 'multi', sort: 'desc' } },
    custom: {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: options.stack ? 30 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: options.stack ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: options.thresholdLines ? 'dashed' : 'off' },
    },
  });
}

/** A panel kind whose options do not depend on the panel: its type, default size and Grafana options. */
interface Kind {
  type: string;
  size: { w: number; h: number };
  instant: boolean;
  panelOptions: Record<string, unknown>;
  custom?: Record<string, unknown>;
}

const kind =
  ({ instant, ...rest }: Kind) =>
  (title: string, queries: Query[], options: PanelOptions = {}): PanelSpec =>
    prometheusPanel({ ...rest, title, queries, options, target: { instant } });

/** The latest value of each query, as a big number. */
export const stat = kind({
  type: 'stat',
  size: { w: 4, h: 4 },
  instant: true,
  panelOptions: { reduceOptions: LAST_VALUE, colorMode: 'value', graphMode: 'none', justifyMode: 'auto', orientation: 'auto', textMode: 'auto' },
});

/** The latest value of each series, as horizontal bars (one per service, queue, feature, ...). */
export const bars = kind({
  type: 'bargauge',
  size: { w: 8, h: 8 },
  instant: true,
  panelOptions: { reduceOptions: LAST_VALUE, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true, valueMode: 'color', namePlacement: 'auto', sizing: 'auto' },
});

/** One line of coloured cells per series over time: a health matrix. */
export const statusHistory = kind({
  type: 'status-history',
  size: { w: 8, h: 8 },
  instant: false,
  panelOptions: { showValue: 'never', rowHeight: 0.9, colWidth: 0.9, legend: { displayMode: 'list', placement: 'bottom', showLegend: false }, tooltip: { mode: 'single', sort: 'none' } },
  custom: { lineWidth: 1, fillOpacity: 80 },
});

export interface TableColumn {
  query: Query;
  /** Column title of this query's value. */
  title: string;
  unit?: string;
  thresholds?: ThresholdStep[];
}

/**
 * One row per label set, one column per query (instant queries, merged on their common labels).
 * `hidden` lists fields not to show, by the name Grafana gives them before renaming (a label, or "Value").
 */
export function table(title: string, columns: TableColumn[], hidden: string[], options: PanelOptions = {}): PanelSpec {
  // Grafana names the value field of a lone table query "Value", else "Value #<refId>".
  const valueField = (index: number) => (columns.length === 1 ? 'Value' : `Value #${refId(index)}`);
  const renameByName = Object.fromEntries(columns.map((column, index) => [valueField(index), column.title]));
  return prometheusPanel({
    type: 'table',
    title,
    queries: columns.map((column) => column.query),
    options,
    size: { w: 24, h: 8 },
    target: { instant: true, table: true },
    panelOptions: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false, fields: '' } },
    custom: { align: 'auto', cellOptions: { type: 'color-text' }, inspect: false },
    overrides: columns.map(({ title: name, unit, thresholds }) => ({
      matcher: { id: 'byName', options: name },
      properties: [
        ...(unit ? [{ id: 'unit', value: unit }] : []),
        ...(thresholds ? [{ id: 'thresholds', value: { mode: 'absolute', steps: thresholds } }] : []),
      ],
    })),
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: Object.fromEntries(['Time', ...hidden].map((name) => [name, true])), renameByName, indexByName: {} } },
    ],
  });
}

/** Log lines from Elasticsearch matching a Lucene query, newest first. */
export function logs(title: string, lucene: string, options: Pick<PanelOptions, 'description' | 'w' | 'h'> = {}): PanelSpec {
  return {
    type: 'logs',
    title,
    ...(options.description ? { description: options.description } : {}),
    datasource: ELASTICSEARCH,
    targets: [{ refId: 'A', datasource: ELASTICSEARCH, query: lucene, metrics: [{ id: '1', type: 'logs' }], bucketAggs: [], timeField: LOG_FIELDS.time }],
    options: { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true, dedupStrategy: 'none', prettifyLogMessage: false, showCommonLabels: false, showLabels: false },
    size: { w: options.w ?? 24, h: options.h ?? 10 },
  };
}

export interface Section {
  title: string;
  /** Repeat the row and its panels for every selected value of this variable. */
  repeat?: string;
  panels: PanelSpec[];
}

const GRID_WIDTH = 24;

/**
 * A section's panels in lines, left to right: a line ends at the grid's width or where the panels' height
 * changes (a line of stats, then a line of graphs), and a line that is not full is widened to fill it.
 */
function lines(panels: PanelSpec[]): PanelSpec[][] {
  const result: PanelSpec[][] = [];
  for (const panel of panels) {
    const line = result.at(-1);
    const width = line?.reduce((total, { size }) => total + size.w, 0) ?? GRID_WIDTH;
    if (line && width + panel.size.w <= GRID_WIDTH && line[0].size.h === panel.size.h) line.push(panel);
    else result.push([panel]);
  }
  return result.map((line) => {
    const spare = GRID_WIDTH - line.reduce((total, { size }) => total + size.w, 0);
    const extra = Math.floor(spare / line.length);
    return line.map((panel, index) => ({ ...panel, size: { ...panel.size, w: panel.size.w + extra + (index === line.length - 1 ? spare - extra * line.length : 0) } }));
  });
}

/** Rows and their panels, in lines; ids from 1 in that order. */
export function layout(sections: Section[]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  const nextId = () => panels.length + 1;
  for (const section of sections) {
    panels.push({
      id: nextId(),
      type: 'row',
      title: section.title,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y, w: GRID_WIDTH, h: 1 },
      ...(section.repeat ? { repeat: section.repeat } : {}),
    });
    y += 1;
    for (const line of lines(section.panels)) {
      let x = 0;
      for (const { size, ...panel } of line) {
        panels.push({ id: nextId(), ...panel, gridPos: { x, y, w: size.w, h: size.h } });
        x += size.w;
      }
      y += line[0].size.h;
    }
  }
  return panels;
}
