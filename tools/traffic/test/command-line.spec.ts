import { freePort } from '@ai-finance/testing';
import { createServer, type Server } from 'node:http';
import { BRUTE_FORCE_CLI, runCli, TRAFFIC_CLI } from './run-cli';

/** A stand-in that answers every request with `status` and `body`: a gateway that is not ready, or not a gateway. */
async function standIn(status: number, body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

describe('npm run traffic: the command line', () => {
  it.each([
    [['--mix', 'quotes=30,foo=5'], '--mix names an unknown action group "foo"'],
    [['--mix', 'quotes=lots'], '--mix has "quotes=lots", which is not <group>=<weight>'],
    [['--rate', 'fast'], '--rate must be a number of arrivals per second'],
    [['--duration', 'soon'], '--duration must be a duration such as 30s, 5m, 1h or 1h30m (got "soon")'],
    [['--users', '0'], '--users must be a whole number of users'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j with the problem, the usage and exit status 2, before contacting anything', async (args, message) => {
    const run = await runCli(TRAFFIC_CLI, [...args, '--gateway', 'http://127.0.0.1:1']);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toContain(`traffic: ${message}`);
    expect(run.stderr).toContain('Usage: npm run traffic -- [options]');
  });

  it('prints the usage with --help and exits 0', async () => {
    const run = await runCli(TRAFFIC_CLI, ['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--source-ips <mode>     auto | on | off');
  });

  it('exits 1 naming the address when nothing listens there (the gateway from AI_FINANCE_GATEWAY_URL)', async () => {
    const port = await freePort();
    const run = await runCli(TRAFFIC_CLI, ['--duration', '5s'], { AI_FINANCE_GATEWAY_URL: `http://127.0.0.1:${port}` });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: '' });
    expect(run.stderr).toContain(`traffic: api-gateway is not reachable at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('exits 1 saying which dependency is down when the gateway is not ready', async () => {
    const gateway = await standIn(503, { status: 'not_ready', down: ['redis'], dependencies: { redis: { status: 'down', latency_ms: 2, error: 'connect ECONNREFUSED 127.0.0.1:6390' } } });
    try {
      const run = await runCli(TRAFFIC_CLI, ['--gateway', gateway.url, '--duration', '5s']);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`traffic: api-gateway at ${gateway.url} is running but not ready: redis (connect ECONNREFUSED 127.0.0.1:6390) is down.`);
    } finally {
      gateway.server.close();
    }
  });

  it('reads readiness from a public request when the gateway keeps /health on its management port', async () => {
    const gateway = await standIn(404, { statusCode: 404, error: 'Not Found', message: 'Cannot GET /health/ready', request_id: 'a-request' });
    try {
      const run = await runCli(TRAFFIC_CLI, ['--gateway', gateway.url, '--duration', '5s']);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`traffic: api-gateway at ${gateway.url} is running but not ready: GET /api/market/quotes answered 404`);
    } finally {
      gateway.server.close();
    }
  });

  it('exits 1 when the address answers but is not the gateway', async () => {
    const other = await standIn(404, { message: 'Not Found' });
    try {
      const run = await runCli(TRAFFIC_CLI, ['--gateway', other.url, '--duration', '5s']);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`traffic: ${other.url}/health/ready answered 404, not api-gateway's readiness report: is ${other.url} the gateway?`);
    } finally {
      other.server.close();
    }
  });
});

describe('brute-force.js: the command line', () => {
  it('refuses a source address outside 127.0.0.0/8 for a gateway on loopback, with exit status 2', async () => {
    const run = await runCli(BRUTE_FORCE_CLI, ['--ip', '192.168.1.5', '--gateway', 'http://127.0.0.1:1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('brute-force: --ip 192.168.1.5 is not in 127.0.0.0/8: the gateway is on loopback (127.0.0.1), which only loopback addresses can reach');
  });

  it('exits 1 when the gateway is unreachable', async () => {
    const port = await freePort();
    const run = await runCli(BRUTE_FORCE_CLI, ['--gateway', `http://127.0.0.1:${port}`, '--duration', '5s']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`brute-force: api-gateway is not reachable at http://127.0.0.1:${port}`);
  });
});
