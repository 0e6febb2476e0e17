import { freePort, Platform, sampleValue, waitFor } from '@ai-finance/testing';

describe('with the OTLP collector and Elasticsearch unreachable', () => {
  let platform: Platform;

  beforeAll(async () => {
    const [closedOtlpPort, closedElasticsearchPort] = [await freePort(), await freePort()];
    platform = new Platform({
      services: ['api-gateway', 'market-data'],
      otlpEndpoint: `http://127.0.0.1:${closedOtlpPort}`,
      elasticsearchUrl: `http://127.0.0.1:${closedElasticsearchPort}`,
    });
    await platform.start();
    await waitFor('a first quote', async () => ((await fetch(`${platform.gateway.url}/api/market/quotes/AAPL`)).status === 200 ? true : undefined));
  });

  afterAll(() => platform.stop());

  it('both services keep answering every request', async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${platform.gateway.url}/api/market/quotes/NVDA`).then(async (r) => (await r.arrayBuffer(), r.status))),
      );
      statuses.push(...responses);
    }
    expect(statuses).toHaveLength(200);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect((await fetch(`${platform.marketData.url}/quotes/NVDA`)).status).toBe(200);
  });

  it('counts the log records that could not be shipped in log_records_dropped_total', async () => {
    for (const service of [platform.gateway, platform.marketData]) {
      const dropped = await waitFor(`${service.name} to count dropped log records`, async () => {
        const value = sampleValue(await (await fetch(`${service.url}/metrics`)).text(), 'log_records_dropped_total');
        return value > 0 ? value : undefined;
      }, 30_000);
      expect(dropped).toBeGreaterThan(0);
    }
    // Every line still reached stdout.
    expect(platform.gateway.logs.filter((line) => line.log_type === 'http_request').length).toBeGreaterThanOrEqual(200);
  });

  it('counts the spans the refused collector did not take in tracing_spans_dropped_total, and exports none', async () => {
    for (const service of [platform.gateway, platform.marketData]) {
      const exposition = await waitFor(`${service.name} to count dropped spans`, async () => {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        return sampleValue(text, 'tracing_spans_dropped_total', { reason: 'export_failed' }) > 0 ? text : undefined;
      }, 30_000);
      expect(sampleValue(exposition, 'tracing_spans_exported_total')).toBe(0);
      expect(exposition).toContain(`tracing_spans_dropped_total{reason="queue_full",service="${service.name}"} 0`);
    }
  });
});
