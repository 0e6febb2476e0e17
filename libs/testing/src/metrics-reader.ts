import request from 'supertest';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of metric `name` in a Prometheus text exposition, with its labels. */
function* samplesOf(exposition: string, name: string): Generator<Sample> {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    yield { labels, value: Number(match[4]) };
  }
}

const matches = (labels: Record<string, string>, filter: Record<string, string>): boolean =>
  Object.entries(filter).every(([key, value]) => labels[key] === value);

/**
 * Reads one sample from a Prometheus text exposition: the sum of every series of `name` whose labels
 * include all of `labels`. 0 when none matches, which is what an untouched counter means.
 */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const sample of samplesOf(exposition, name)) if (matches(sample.labels, labels)) total += sample.value;
  return total;
}

/**
 * Sums the samples of metric `name` by the value of one label, over the series whose labels include
 * all of `filter`: e.g. answers by `status_code` of one route.
 */
export function sampleValuesBy(exposition: string, name: string, label: string, filter: Record<string, string> = {}): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const sample of samplesOf(exposition, name)) {
    if (!matches(sample.labels, filter)) continue;
    const key = sample.labels[label] ?? '';
    totals[key] = (totals[key] ?? 0) + sample.value;
  }
  return totals;
}

/** Fetches `/metrics` of a service as Prometheus text. */
export async function fetchMetrics(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  return response.text();
}

/**
 * Reads `/metrics` of an application started in-process (see startNestApp) as Prometheus text,
 * failing unless it answers 200: the before/after reads around an action that metric assertions need.
 */
export async function scrapeMetrics(app: { getHttpServer(): unknown }): Promise<string> {
  const response = await request(app.getHttpServer() as Parameters<typeof request>[0]).get('/metrics');
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${response.text.slice(0, 500)}`);
  return response.text;
}
