import { freePort, PrometheusServer, ServiceProcess, uniqueName, waitFor } from '@ai-finance/testing';

describe('a real Prometheus scraping market-data', () => {
  let marketData: ServiceProcess;
  const prometheus = new PrometheusServer();

  beforeAll(async () => {
    marketData = new ServiceProcess('market-data', await freePort(), {
      REDIS_KEY_PREFIX: `${uniqueName('it-prom')}:`,
      EVENTS_EXCHANGE: uniqueName('it-prom-events'),
      MARKET_TICK_INTERVAL_MS: '100',
      // Traces are sampled and exported to nowhere: exemplars need sampled spans, not a collector.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'warn',
    });
    await marketData.start();
    await waitFor('a first quote', async () => ((await fetch(`${marketData.url}/quotes/AAPL`)).status === 200 ? true : undefined));
    for (let i = 0; i < 20; i++) await fetch(`${marketData.url}/quotes/AAPL`);

    await prometheus.start(
      () =>
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'scrape_configs:',
          '  - job_name: market-data',
          `    static_configs: [{ targets: ['127.0.0.1:${marketData.port}'] }]`,
        ].join('\n'),
      ['--enable-feature=exemplar-storage'],
    );
  });

  afterAll(async () => {
    await prometheus.stop();
    await marketData?.stop();
  });

  const query = <T>(path: string): Promise<T> => prometheus.api<T>(path);

  it('scrapes the target successfully, with the service label on the series', async () => {
    const series = await waitFor(
      'the request histogram in Prometheus',
      async () => {
        const data = await query<{ result: Array<{ metric: Record<string, string> }> }>(
          `/api/v1/query?query=${encodeURIComponent('http_server_request_duration_seconds_count{route="/quotes/:symbol"}')}`,
        );
        return data.result.length > 0 ? data.result : undefined;
      },
      30_000,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nprometheus said:\n${prometheus.log}`);
    });
    expect(series[0].metric).toMatchObject({ service: 'market-data', method: 'GET', status_code: '200', job: 'market-data' });
    const up = await query<{ result: Array<{ value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent('up{job="market-data"}')}`);
    expect(up.result[0].value[1]).toBe('1');
  });

  it('stores the trace ids offered as exemplars, so a latency panel can open the trace', async () => {
    const now = Date.now() / 1000;
    const exemplars = await waitFor(
      'exemplars in Prometheus',
      async () => {
        const data = await query<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>(
          `/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{route="/quotes/:symbol"}')}&start=${now - 600}&end=${now + 60}`,
        );
        const all = data.flatMap((series) => series.exemplars);
        return all.length > 0 ? all : undefined;
      },
      30_000,
      500,
    );
    expect(exemplars[0].labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
