import { freePort, Platform, waitFor } from '@ai-finance/testing';

function droppedRecords(exposition: string): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('log_records_dropped_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

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
        const value = droppedRecords(await (await fetch(`${service.url}/metrics`)).text());
        return value > 0 ? value : undefined;
      }, 30_000);
      expect(dropped).toBeGreaterThan(0);
    }
    // Every line still reached stdout.
    expect(platform.gateway.logs.filter((line) => line.log_type === 'http_request').length).toBeGreaterThanOrEqual(200);
  });
});
