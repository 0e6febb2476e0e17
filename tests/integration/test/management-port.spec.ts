import { freePort, Platform, promtoolCheckMetrics } from '@ai-finance/testing';

/** api-gateway as compose runs it: its public port serves the API only, MANAGEMENT_PORT the rest. */
describe('api-gateway with a management port', () => {
  let platform: Platform;
  let managementPort: number;

  beforeAll(async () => {
    managementPort = await freePort();
    platform = new Platform({ services: ['api-gateway', 'market-data'], env: { 'api-gateway': { MANAGEMENT_PORT: String(managementPort) } } });
    await platform.start();
    await platform.waitUntilReady();
  }, 120_000);

  afterAll(() => platform?.stop(), 60_000);

  it.each(['/metrics', '/health/live', '/health/ready', '/admin/faults', '/metrics?name[]=x', '/health/ready/', '/%6Detrics', '/health/%72eady'])(
    'answers %s on the public port with 404 in the error shape, as if it did not exist',
    async (path) => {
      const response = await fetch(`${platform.gateway.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('Cannot GET') });
    },
  );

  it('serves the API on the public port and not on the management port', async () => {
    expect((await fetch(`${platform.gateway.url}/api/market/quotes/AAPL`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${managementPort}/api/market/quotes/AAPL`)).status).toBe(404);
  });

  it('serves metrics and health on the management port, with the public requests counted', async () => {
    const live = await fetch(`http://127.0.0.1:${managementPort}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${managementPort}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${managementPort}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/api\/market\/quotes\/:symbol"[^}]*\} [1-9]/);
    expect(promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
  });
});
