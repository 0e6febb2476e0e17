import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/*
 * Both exposition formats, written in one pass over the registry's metrics (their public get()). It
 * replaces prom-client's own text writer, which copies every sample's labels twice and formats them
 * through intermediate arrays, and an OpenMetrics writer that first went through getMetricsAsJSON:
 * the api-gateway's 1,400 series took several milliseconds a scrape (docs/performance.md). The text
 * output is byte for byte prom-client's (a test holds it to that); OpenMetrics is 1.0 with exemplars,
 * written from the same metrics, because prom-client only writes OpenMetrics from a registry switched
 * to it for good, which renames its counters in place.
 */

export type ExpositionFormat = 'text' | 'openmetrics';

interface ExemplarLike {
  labelSet: Record<string, string | number>;
  value: number | null;
  timestamp?: number;
}

type Labels = Record<string, string | number | undefined>;
/** `sharedLabels`: a histogram's series labels, kept apart from each bucket's `le` (getForPromString). */
type Sample = MetricValue<string> & { metricName?: string; exemplar?: ExemplarLike | null; sharedLabels?: Labels };
interface Metric {
  get(): Promise<MetricObjectWithValues<Sample>>;
  getForPromString?: () => Promise<MetricObjectWithValues<Sample>>;
}
const NO_LABELS: Labels = {};

const NEEDS_ESCAPE = /[\\\n"]/;

export async function renderExposition(registry: Registry, defaultLabels: Labels, format: ExpositionFormat): Promise<string> {
  // A histogram's getForPromString leaves its buckets' labels unmerged: less copying than get().
  const families = (await Promise.all(
    (registry.getMetricsAsArray() as unknown as Metric[]).map((metric) => (metric.getForPromString ? metric.getForPromString() : metric.get())),
  )) as MetricObjectWithValues<Sample>[];
  const openMetrics = format === 'openmetrics';
  const defaultLabelNames = Object.keys(defaultLabels);
  let output = '';
  for (const family of families) {
    const type = String(family.type);
    const counter = type === 'counter';
    const familyName = openMetrics && counter ? family.name.replace(/_total$/, '') : family.name;
    const help = escapeText(family.help);
    if (openMetrics) output += `# TYPE ${familyName} ${type}\n# HELP ${familyName} ${help}\n`;
    else output += `${output === '' ? '' : '\n'}# HELP ${familyName} ${help}\n# TYPE ${familyName} ${type}\n`;
    for (const sample of family.values) {
      const sampleName = openMetrics && counter ? `${familyName}_total` : (sample.metricName ?? family.name);
      output += `${sampleName}${labelSet(sample.labels as Labels, sample.sharedLabels ?? NO_LABELS, defaultLabels, defaultLabelNames)} ${openMetrics ? openMetricsNumber(sample.value) : textNumber(sample.value)}`;
      const exemplar = sample.exemplar;
      if (openMetrics && exemplar && exemplar.value !== null && Object.keys(exemplar.labelSet).length > 0) {
        output += ` # ${labelSet(exemplar.labelSet, NO_LABELS, NO_LABELS, [])} ${openMetricsNumber(exemplar.value)}`;
        if (exemplar.timestamp !== undefined) output += ` ${exemplar.timestamp}`;
      }
      output += '\n';
    }
  }
  return openMetrics ? `${output}# EOF\n` : output;
}

/**
 * `{name="value",...}` in prom-client's order: the sample's own labels, the registry's defaults it does
 * not set itself, then the labels it shares with its histogram series.
 */
function labelSet(labels: Labels | undefined, shared: Labels, defaults: Labels, defaultNames: readonly string[]): string {
  let body = '';
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) body += `${body === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  };
  for (const name in labels) if (!(name in shared)) add(name, labels[name]);
  for (const name of defaultNames) if ((labels === undefined || !(name in labels)) && !(name in shared)) add(name, defaults[name]);
  for (const name in shared) add(name, shared[name]);
  return body === '' ? '' : `{${body}}`;
}

function escapeLabelValue(value: string | number): string {
  const text = String(value);
  return NEEDS_ESCAPE.test(text) ? escapeText(text).replace(/"/g, '\\"') : text;
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** The classic text format's spelling, as prom-client writes it. */
function textNumber(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function openMetricsNumber(value: number): string {
  return Number.isNaN(value) ? 'NaN' : textNumber(value);
}
