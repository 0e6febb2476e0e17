import { spawnSync } from 'node:child_process';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { declareHttpServerMetrics } from '../src/metrics/http-metrics';
import { LATENCY_BUCKETS_SECONDS, ServiceMetrics } from '../src/metrics/service-metrics';

function promtool(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is required (Debian package "prometheus"): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe('ServiceMetrics', () => {
  const metrics = new ServiceMetrics('payment');
  const histogram = declareHttpServerMetrics(metrics);
  const payments = metrics.counter({ name: 'payments_total', help: 'Payments by outcome.', labelNames: ['outcome'] });
  histogram.observe({ labels: { method: 'GET', route: '/quotes/:symbol', status_code: '200' }, value: 0.07, exemplarLabels: { trace_id: 'a'.repeat(32) } as never });
  payments.inc({ outcome: 'succeeded' });

  it('has latency buckets at every SLO threshold of the seed', () => {
    for (const threshold of [0.05, 0.1, 0.25, 0.5, 1, 2, 5]) expect(LATENCY_BUCKETS_SECONDS).toContain(threshold);
  });

  it('labels every series with the service, default process metrics included', async () => {
    const text = (await metrics.render(undefined)).body.toString();
    const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.filter((line) => !line.includes('service="payment"'))).toEqual([]);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`${name}{`);
    }
  });

  it("has prom-client's default series, in its order, but the event-loop delay's standard deviation", () => {
    const stock = new Registry();
    collectDefaultMetrics({ register: stock });
    const names = (registry: Registry) => registry.getMetricsAsArray().map((metric) => metric.name);
    const removedAsMisnamed = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
    const expected = names(stock).filter((name) => name !== 'nodejs_eventloop_lag_stddev_seconds' && !removedAsMisnamed.includes(name));
    const served = names(metrics.registry).filter((name) => !['http_server_request_duration_seconds', 'payments_total'].includes(name));
    expect(served).toEqual(expected);
    expect(served).toEqual(expect.arrayContaining(['nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds']));
  });

  it('reports the event-loop delay it measured, in seconds, and starts afresh at each scrape', async () => {
    const own = new ServiceMetrics('risk');
    const value = (text: string, name: string) => Number(new RegExp(`^${name}\\{service="risk"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    await own.render(undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const blockedUntil = Date.now() + 150;
    while (Date.now() < blockedUntil);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = (await own.render(undefined)).body.toString();
    // The histogram records every 20 ms the time between two firings of its timer: 20 ms when idle.
    expect(value(text, 'nodejs_eventloop_lag_min_seconds')).toBeGreaterThan(0.015);
    expect(value(text, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.15);
    expect(value(text, 'nodejs_eventloop_lag_p50_seconds')).toBeLessThan(0.15);
    expect(value(text, 'nodejs_eventloop_lag_mean_seconds')).toBeGreaterThan(0.015);
    expect(value(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(value((await own.render(undefined)).body.toString(), 'nodejs_eventloop_lag_max_seconds')).toBeLessThan(0.15);
  });

  it('serves plain text that promtool accepts without a single warning', async () => {
    const { contentType, body: bytes } = await metrics.render('text/plain');
    const body = bytes.toString();
    expect(contentType).toContain('text/plain; version=0.0.4');
    expect(body).not.toContain('# {trace_id');
    expect(promtool(body)).toEqual({ status: 0, output: '' });
  });

  it('serves OpenMetrics with the trace id as an exemplar when asked for it', async () => {
    const { contentType, body: bytes } = await metrics.render('application/openmetrics-text;version=1.0.0,text/plain;q=0.5');
    const body = bytes.toString();
    expect(contentType).toContain('application/openmetrics-text');
    // The same label order as the text format (prom-client's): le, the service, then the series' labels.
    expect(body).toContain(`http_server_request_duration_seconds_bucket{le="0.1",service="payment",method="GET",route="/quotes/:symbol",status_code="200"} 1 # {trace_id="${'a'.repeat(32)}"} 0.07`);
    expect(body).toContain('# TYPE payments counter');
    expect(body).toContain('payments_total{outcome="succeeded",service="payment"} 1');
    expect(body.endsWith('# EOF\n')).toBe(true);
    // The OpenMetrics rendering must not rename anything the plain-text output relies on.
    expect((await metrics.render(undefined)).body.toString()).toContain('payments_total{outcome="succeeded",service="payment"} 1');
  });

  it('writes the text format byte for byte as prom-client does, escapes included', async () => {
    const other = new ServiceMetrics('risk', { defaultMetrics: false });
    declareHttpServerMetrics(other).observe({ labels: { method: 'POST', route: '/checks', status_code: '422' }, value: 0.3 });
    other.gauge({ name: 'odd_label_values', help: 'Help with a backslash \\ and\na new line.', labelNames: ['value'] }).set({ value: 'quote " backslash \\ newline \n end' }, Number.NaN);
    other.counter({ name: 'plain_total', help: 'No labels.' }).inc(3);
    expect((await other.render(undefined)).body.toString()).toBe(await other.registry.metrics());
  });

  it('stays byte for byte prom-client across scrapes as series come, change and go, far beyond one chunk of text', async () => {
    const other = new ServiceMetrics('trading', { defaultMetrics: false });
    const durations = declareHttpServerMetrics(other);
    const positions = other.gauge({ name: 'open_positions', help: 'Open positions by symbol.', labelNames: ['symbol'] });
    const observeRoutes = (from: number, to: number) => {
      for (let route = from; route < to; route++) durations.observe({ labels: { method: 'GET', route: `/orders/${route}/:id`, status_code: '200' }, value: route / 1000 });
    };
    observeRoutes(0, 300);
    positions.set({ symbol: 'AAPL' }, 1);
    positions.set({ symbol: 'ÄÖÜ-€' }, 2);
    expect((await other.render(undefined)).body.toString()).toBe(await other.registry.metrics());

    observeRoutes(250, 400);
    positions.set({ symbol: 'AAPL' }, 3);
    positions.remove({ symbol: 'ÄÖÜ-€' });
    const bytes = (await other.render(undefined)).body;
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(bytes.toString()).toBe(await other.registry.metrics());
    expect(bytes.toString()).toContain('open_positions{symbol="AAPL",service="trading"} 3');
    expect(bytes.toString()).not.toContain('ÄÖÜ');
  });

  it('returns the existing metric when a service declares the same name twice', () => {
    expect(metrics.counter({ name: 'payments_total', help: 'again', labelNames: ['outcome'] })).toBe(payments);
  });
});
