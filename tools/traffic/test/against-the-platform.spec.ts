import { fetchMetrics, Platform, sampleValue, waitFor, type LogLine } from '@ai-finance/testing';
import { ACTION_GROUP_NAMES } from '../src/action-mix';
import { sourceAddressFor } from '../src/source-addresses';
import type { TrafficSummary } from '../src/summary';
import { BRUTE_FORCE_CLI, CliProcess, runCli, TRAFFIC_CLI } from './run-cli';

/*
 * The simulator and the brute-force tool as built, against the ten services as real processes on the
 * real PostgreSQL, Redis and RabbitMQ (no stand-ins). Without those servers Platform.start fails, so
 * this file fails: it never skips itself (tools/preflight.js says what is missing before npm test).
 */

const USERS = 20;
const ATTACKER = '127.66.0.1';

const isRequestLine = (line: LogLine) => line.log_type === 'http_request' && typeof line.route === 'string' && line.route.startsWith('/api/');

describe('npm run traffic against the real platform', () => {
  const platform = new Platform({
    env: {
      // Tokens that expire within the run, so that every user has to refresh.
      'user-management': { ACCESS_TOKEN_TTL_SECONDS: '10' },
      // Providers decline a tenth of the charges, as real ones decline some: the one 4xx a user may meet.
      payment: { PAYMENT_DECLINE_RATE: '0.1' },
    },
  });
  let summary: TrafficSummary;
  let gatewayMetrics: string;
  let gatewayRequests: LogLine[];

  beforeAll(async () => {
    await platform.start();
    await platform.waitUntilReady();

    const run = await runCli(TRAFFIC_CLI, ['--gateway', platform.gateway.url, '--rate', '20', '--users', String(USERS), '--duration', '15s', '--json', '--quiet']);
    if (run.status !== 0) throw new Error(`the simulator exited with ${run.status}:\n${run.stderr}`);
    summary = JSON.parse(run.stdout) as TrafficSummary;
    gatewayMetrics = await fetchMetrics(platform.gateway.url);
    // The gateway logs a request after answering it; the last lines may still be in the pipe.
    gatewayRequests = await waitFor('the gateway\'s log line of every request', () => {
      const lines = platform.gateway.logs.filter(isRequestLine);
      return lines.length >= summary.total.requests ? lines : undefined;
    });
  }, 120_000);

  afterAll(() => platform.stop(), 60_000);

  it('signs every user in, refreshes expiring tokens, and exercises every action group', () => {
    expect(summary.users).toEqual({ planned: USERS, signedIn: USERS, failed: 0 });
    expect(summary.stoppedBy).toBe('duration');
    const notExercised = ACTION_GROUP_NAMES.filter((group) => !(summary.arrivals.byGroup[group] > 0));
    expect(notExercised).toEqual([]);
    const statusesOf = (action: string) => summary.actions.find((line) => line.action === action)?.statuses;
    expect(statusesOf('users.register')).toEqual({ '201': USERS });
    expect(statusesOf('users.login')).toEqual({ '200': USERS });
    // 10-second tokens in a 15-second run: users refresh before expiry, and every refresh succeeds.
    expect(Object.keys(statusesOf('users.refresh') ?? {})).toEqual(['200']);
  });

  it('meets no server error, no network error, no rate limit, and no client error but a declined payment', () => {
    expect(summary.total).toMatchObject({ serverErrors: 0, networkErrors: 0, otherStatuses: 0 });
    const notOk = summary.actions.flatMap((line) => Object.keys(line.statuses).filter((status) => !status.startsWith('2')).map((status) => `${line.action} ${status}`));
    expect(notOk.filter((answer) => answer !== 'payments.pay 402')).toEqual([]);
    expect(summary.networkErrorSamples).toEqual([]);
  });

  it('adds up: arrivals, each action\'s outcomes, the total, and the gateway\'s own count per feature', () => {
    const { arrivals, actions, total } = summary;
    expect(arrivals.total).toBe(arrivals.started + arrivals.dropped);
    expect(Object.values(arrivals.byGroup).reduce((sum, count) => sum + count, 0)).toBe(arrivals.started);
    for (const line of actions) {
      const answered = Object.values(line.statuses).reduce((sum, count) => sum + count, 0);
      expect({ action: line.action, requests: line.requests }).toEqual({ action: line.action, requests: line.ok + line.clientErrors + line.serverErrors + line.networkErrors + line.otherStatuses });
      expect({ action: line.action, requests: line.requests }).toEqual({ action: line.action, requests: answered + line.networkErrors });
      expect(line.latency!.p50Ms <= line.latency!.p95Ms && line.latency!.p95Ms <= line.latency!.p99Ms && line.latency!.p99Ms <= line.latency!.maxMs).toBe(true);
    }
    for (const field of ['requests', 'ok', 'clientErrors', 'serverErrors', 'networkErrors'] as const) {
      expect({ field, total: total[field] }).toEqual({ field, total: actions.reduce((sum, line) => sum + line[field], 0) });
    }
    // The gateway counts every request it lets through to a service; none was refused at the gateway.
    const countedByGateway = actions.map((line) => ({ action: line.action, requests: sampleValue(gatewayMetrics, 'feature_usage_total', { feature: line.action }) }));
    expect(countedByGateway).toEqual(actions.map((line) => ({ action: line.action, requests: line.requests })));
    expect(gatewayRequests.length).toBe(total.requests);
  });

  it('comes from one loopback address per user, as the gateway sees the clients', () => {
    const expected = Array.from({ length: USERS }, (_, index) => sourceAddressFor(index));
    expect(summary.sourceAddresses).toMatchObject({ enabled: true, count: USERS, first: '127.0.1.1', last: '127.0.1.20' });
    expect([...new Set(gatewayRequests.map((line) => line.ip_address as string))].sort()).toEqual([...expected].sort());
    const registrations = gatewayRequests.filter((line) => line.route === '/api/users/register').map((line) => line.ip_address as string);
    expect(registrations.sort()).toEqual([...expected].sort());
  });

  it('ends a run without --duration at SIGTERM, after the requests in flight, with the summary', async () => {
    const registeredBefore = sampleValue(await fetchMetrics(platform.gateway.url), 'feature_usage_total', { feature: 'users.register' });
    const run = new CliProcess(TRAFFIC_CLI, ['--gateway', platform.gateway.url, '--rate', '5', '--users', '3', '--json', '--quiet']);
    await waitFor('three more users registered', async () =>
      sampleValue(await fetchMetrics(platform.gateway.url), 'feature_usage_total', { feature: 'users.register' }) >= registeredBefore + 3 ? true : undefined,
    20_000);
    run.child.kill('SIGTERM');
    const result = await run.finished;
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const stopped = JSON.parse(result.stdout) as TrafficSummary;
    expect(stopped).toMatchObject({ stoppedBy: 'signal', settings: { durationMs: null }, users: { planned: 3, failed: 0 } });
    expect(stopped.total.requests).toBe(stopped.actions.reduce((sum, line) => sum + line.requests, 0));
  });

  it('brute-force.js: wrong passwords from 127.66.0.1 get 401 then 429, and the gateway names the address for LoginBruteForce', async () => {
    const offenderEvents = async (type: string) => sampleValue(await fetchMetrics(platform.gateway.url), 'security_offender_events', { type, ip_address: ATTACKER });
    const attack = new CliProcess(BRUTE_FORCE_CLI, ['--gateway', platform.gateway.url, '--rate', '10']);
    // LoginBruteForce: sum by (ip_address) (security_offender_events{type="auth_failure"}) >= 20; and on past the credential limit.
    await waitFor('20 failed logins and a refusal for the attacker at the gateway', async () =>
      (await offenderEvents('auth_failure')) >= 20 && (await offenderEvents('rate_limited')) >= 1 ? true : undefined,
    20_000);
    attack.child.kill('SIGTERM');
    const result = await attack.finished;
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });

    const final = /brute-force finished after [\d.]+ s from 127\.66\.0\.1: (\d+) attempts, (\d+) answered 401, (\d+) answered 429, (\d+) other$/m.exec(result.stdout);
    if (!final) throw new Error(`no final line in:\n${result.stdout}`);
    const [attempts, unauthorized, rateLimited, other] = final.slice(1).map(Number) as [number, number, number, number];
    expect({ other, attempts }).toEqual({ other: 0, attempts: unauthorized + rateLimited });
    // Every 401 it got is a failed login the gateway attributed to its address, and every 429 a refusal.
    expect(await offenderEvents('auth_failure')).toBe(unauthorized);
    expect(await offenderEvents('rate_limited')).toBe(rateLimited);
    // The credential limit (RATE_LIMIT_AUTH_PER_IP, 30 a minute per address) lets exactly 30 through in this run of seconds.
    expect(unauthorized).toBe(30);
    expect(rateLimited).toBeGreaterThanOrEqual(1);

    const failedLoginSources = (await fetchMetrics(platform.gateway.url))
      .split('\n')
      .filter((line) => line.startsWith('security_offender_events{type="auth_failure"'))
      .map((line) => /ip_address="([^"]+)"/.exec(line)?.[1]);
    expect(failedLoginSources).toEqual([ATTACKER]);
    const attackerRoutes = new Set(platform.gateway.logs.filter((line) => isRequestLine(line) && line.ip_address === ATTACKER).map((line) => line.route));
    expect([...attackerRoutes]).toEqual(['/api/users/login']);
  });
});
