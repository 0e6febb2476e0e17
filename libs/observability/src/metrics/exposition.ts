import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';
import { ChunkedText } from './chunked-text';

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

/**
 * Renders one registry with its default labels. A series' label set is the same text at every scrape, so
 * it is written once and kept, keyed by the labels object prom-client holds for the series (a new series
 * gets a new object; prom-client never changes one in place): most of a scrape's work was writing them.
 */
export class ExpositionWriter {
  private readonly defaultLabelNames: readonly string[];
  /** A sample's labels object (counters, gauges) → its rendered label set. */
  private readonly labelSets = new WeakMap<Labels, string>();
  /** A histogram series' labels object → its rendered label set per `le` ('' for _sum and _count). */
  private readonly histogramLabelSets = new WeakMap<Labels, Map<string | number, string>>();
  private readonly scratch = { bytes: Buffer.alloc(0) };

  constructor(
    private readonly registry: Registry,
    private readonly defaultLabels: Labels,
  ) {
    this.defaultLabelNames = Object.keys(defaultLabels);
  }

  /** The exposition as UTF-8 bytes, ready for the socket. */
  async render(format: ExpositionFormat): Promise<Buffer> {
    // A histogram's getForPromString leaves its buckets' labels unmerged: less copying than get().
    const families = (await Promise.all(
      (this.registry.getMetricsAsArray() as unknown as Metric[]).map((metric) => (metric.getForPromString ? metric.getForPromString() : metric.get())),
    )) as MetricObjectWithValues<Sample>[];
    const openMetrics = format === 'openmetrics';
    const output = new ChunkedText();
    let first = true;
    for (const family of families) {
      const type = String(family.type);
      const counter = type === 'counter';
      const familyName = openMetrics && counter ? family.name.replace(/_total$/, '') : family.name;
      const help = escapeText(family.help);
      if (openMetrics) output.append(`# TYPE ${familyName} ${type}\n# HELP ${familyName} ${help}\n`);
      else output.append(`${first ? '' : '\n'}# HELP ${familyName} ${help}\n# TYPE ${familyName} ${type}\n`);
      first = false;
      for (const sample of family.values) {
        const sampleName = openMetrics && counter ? `${familyName}_total` : (sample.metricName ?? family.name);
        let line = `${sampleName}${this.labelSetOf(sample)} ${openMetrics ? openMetricsNumber(sample.value) : textNumber(sample.value)}`;
        const exemplar = sample.exemplar;
        if (openMetrics && exemplar && exemplar.value !== null && Object.keys(exemplar.labelSet).length > 0) {
          line += ` # ${labelSet(exemplar.labelSet, NO_LABELS, NO_LABELS, [])} ${openMetricsNumber(exemplar.value)}`;
          if (exemplar.timestamp !== undefined) line += ` ${exemplar.timestamp}`;
        }
        output.append(`${line}\n`);
      }
    }
    if (openMetrics) output.append('# EOF\n');
    return output.toBuffer(this.scratch);
  }

  private labelSetOf(sample: Sample): string {
    const labels = (sample.labels ?? NO_LABELS) as Labels;
    const shared = sample.sharedLabels;
    if (shared === undefined) {
      let rendered = this.labelSets.get(labels);
      if (rendered === undefined) {
        rendered = this.withDefaults(labels, NO_LABELS);
        this.labelSets.set(labels, rendered);
      }
      return rendered;
    }
    // A histogram sample's own labels are its bucket's `le`, or none for _sum and _count.
    let le: string | number | undefined = '';
    for (const name in labels) {
      if (name !== 'le') return this.withDefaults(labels, shared);
      le = labels.le;
    }
    if (le === undefined) return this.withDefaults(labels, shared);
    let byBucket = this.histogramLabelSets.get(shared);
    if (byBucket === undefined) {
      byBucket = new Map();
      this.histogramLabelSets.set(shared, byBucket);
    }
    let rendered = byBucket.get(le);
    if (rendered === undefined) {
      rendered = this.withDefaults(labels, shared);
      byBucket.set(le, rendered);
    }
    return rendered;
  }

  private withDefaults(labels: Labels, shared: Labels): string {
    return labelSet(labels, shared, this.defaultLabels, this.defaultLabelNames);
  }
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
