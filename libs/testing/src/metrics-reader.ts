import request from 'supertest';

/**
 * Reads one sample from a Prometheus text exposition: the sum of every series of `name` whose labels
 * include all of `labels`. 0 when none matches, which is what an untouched counter means.
 */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const seriesLabels = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => seriesLabels[key] === value)) total += Number(match[4]);
  }
  return total;
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
