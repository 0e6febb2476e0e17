import { freePort, Platform, residentMemoryBytes, type ServiceName, waitFor } from '@ai-finance/testing';
import { randomUUID } from 'node:crypto';
import { DependencyProxies } from './support/dependencies';
import { faultTable, type FaultOutcome } from './support/fault-report';
import { reconcile } from './support/reconciliation';
import { Traffic, type TrafficUser, type TrafficWindow } from './support/traffic';

const POSTGRES_OUTAGE_MS = 30_000;
const REDIS_OUTAGE_MS = 15_000;
const RABBITMQ_OUTAGE_MS = 20_000;
/** The issue's bound: every service recovers by itself within 30 s of its dependency returning. */
const RECOVERY_LIMIT_MS = 30_000;
/** No answer may take longer than this during an outage: failing fast, not hanging, is the requirement. */
const SLOWEST_ANSWER_LIMIT_MS = 10_000;
/** Each service container's memory limit in docker-compose.enhanced.yml. */
const CONTAINER_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;
const SERVICES_WITH_A_DATABASE: readonly ServiceName[] = ['user-management', 'payment', 'trading', 'signals', 'portfolio', 'risk', 'notification', 'audit'];
const SERVICES_WITH_CONSUMERS: readonly ServiceName[] = ['trading', 'signals', 'portfolio', 'risk', 'notification', 'audit'];
const QUEUES_WITH_DEAD_LETTERS = ['audit.events', 'portfolio.trades', 'risk.trades', 'notification.events'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the platform under faults: dependencies taken away and services killed while traffic flows', () => {
  let proxies: DependencyProxies;
  let platform: Platform;
  let traffic: Traffic;
  const outcomes: FaultOutcome[] = [];
  const memoryAtStart = new Map<string, number>();

  beforeAll(async () => {
    proxies = await DependencyProxies.start();
    // Nothing listens on this port: the OTLP collector and Elasticsearch are unreachable for the whole run.
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    platform = new Platform({
      postgresAddress: proxies.postgresAddress,
      redisUrl: proxies.redisUrl,
      rabbitmqUrl: proxies.rabbitmqUrl,
      otlpEndpoint: unreachable,
      elasticsearchUrl: unreachable,
      env: {
        // All of the test's load comes from one address and a few users; metrics and health on their own
        // port, as under compose.
        'api-gateway': { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_USER: '1000000', MANAGEMENT_PORT: String(await freePort()) },
        // Slow enough that a kill lands while payments and orders are being processed.
        payment: { PAYMENT_PROVIDER_LATENCY_MS: '200' },
        trading: { TRADING_EXECUTION_LATENCY_MS: '200' },
      },
    });
    await platform.start();
    await platform.waitUntilReady();
    const users: TrafficUser[] = [];
    for (let index = 0; index < 4; index++) users.push(await signUp(platform.gateway.url));
    traffic = new Traffic(platform.gateway.url, users);
    traffic.start();
    await sleep(3_000);
    for (const service of platform.services.values()) memoryAtStart.set(service.name, residentMemoryBytes(service.pid as number));
  }, 180_000);

  afterAll(async () => {
    await traffic?.stop();
    await platform?.stop();
    await proxies?.stop();
    if (outcomes.length > 0) process.stdout.write(`\nfaults (npm run test:chaos):\n${faultTable(outcomes)}\n`);
  }, 120_000);

  const reconciled = () =>
    reconcile({
      databaseUrl: platform.databaseUrl,
      rabbitmqUrl: proxies.rabbitmqUrl,
      deadLetterQueues: QUEUES_WITH_DEAD_LETTERS.map((queue) => `${platform.queuePrefix}${queue}.dead-letter`),
      auditUrl: platform.service('audit').url,
      acceptedPaymentIds: traffic.acceptedPaymentIds,
      acceptedOrderIds: traffic.acceptedOrderIds,
    });

  /** Time from `since` until every service is ready and `works` succeeds through the gateway. */
  const recoveredAfter = async (since: number, works: () => Promise<boolean>): Promise<number> => {
    await waitFor('every service ready again', async () => ((await everyServiceReady(platform)) ? true : undefined), 90_000, 250);
    await waitFor('the affected operation to work again', async () => ((await works()) ? true : undefined), 90_000, 250);
    return performance.now() - since;
  };

  const expectCleanFailures = (window: TrafficWindow) => {
    expect(platform.crashed()).toEqual([]);
    const unclear = window.errors.filter((answer) => answer.status !== 503 || !answer.message);
    expect(unclear).toEqual([]);
    expect(window.slowestMs).toBeLessThan(SLOWEST_ANSWER_LIMIT_MS);
  };

  it('PostgreSQL stopped for 30 s: what needs it answers 503 at once, readiness says so, and all recovers by itself', async () => {
    const recording = traffic.record();
    await proxies.postgres.stop();
    await sleep(5_000);
    for (const name of SERVICES_WITH_A_DATABASE) {
      const readiness = await fetch(`${platform.service(name).url}/health/ready`);
      expect({ name, status: readiness.status, down: ((await readiness.json()) as { down: string[] }).down }).toEqual({ name, status: 503, down: expect.arrayContaining(['postgres']) });
    }
    await sleep(POSTGRES_OUTAGE_MS - 5_000);
    await proxies.postgres.start();
    const recoveryMs = await recoveredAfter(performance.now(), async () => (await traffic.send('payment')).status === 201);
    const window = recording.end();
    const reconciliation = await reconciled();
    outcomes.push({ fault: 'PostgreSQL stopped 30 s', traffic: window, recoveryMs, reconciliation });

    expectCleanFailures(window);
    expect(window.answers.filter((answer) => answer.operation === 'payment' && answer.status === 503).length).toBeGreaterThan(0);
    expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(reconciliation.problems).toEqual([]);
  });

  it('Redis stopped: quotes and orders answer 503 (no price), payments go on under in-memory rate limits, and all recovers', async () => {
    const recording = traffic.record();
    const outage = traffic.record();
    await proxies.redis.stop();
    await sleep(REDIS_OUTAGE_MS);
    const during = outage.end();
    await proxies.redis.start();
    const recoveryMs = await recoveredAfter(performance.now(), async () => (await traffic.send('quote')).status === 200);
    const window = recording.end();
    const reconciliation = await reconciled();
    outcomes.push({ fault: `Redis stopped ${REDIS_OUTAGE_MS / 1000} s`, traffic: window, recoveryMs, reconciliation });

    expectCleanFailures(window);
    // Rate limiting fails open to per-process limits (docs/reliability.md): payments keep being accepted.
    expect(during.answers.some((answer) => answer.operation === 'payment' && answer.status === 201)).toBe(true);
    expect(during.answers.some((answer) => answer.operation === 'quote' && answer.status === 503)).toBe(true);
    expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(reconciliation.problems).toEqual([]);
  });

  it('RabbitMQ stopped: payments and orders are still accepted, and every one reaches the audit log and the portfolio exactly once', async () => {
    const recording = traffic.record();
    const outage = traffic.record();
    await proxies.rabbitmq.stop();
    await sleep(RABBITMQ_OUTAGE_MS);
    const during = outage.end();
    const readiness = await fetch(`${platform.service('audit').url}/health/ready`);
    expect(readiness.status).toBe(503);
    await proxies.rabbitmq.start();
    const recoveryMs = await recoveredAfter(performance.now(), async () => (await traffic.send('payment')).status === 201);
    const window = recording.end();
    const reconciliation = await reconciled();
    outcomes.push({ fault: `RabbitMQ stopped ${RABBITMQ_OUTAGE_MS / 1000} s`, traffic: window, recoveryMs, reconciliation });

    expect(platform.crashed()).toEqual([]);
    expect(window.errors).toEqual([]);
    expect(during.answers.filter((answer) => answer.operation === 'payment' && answer.status === 201).length).toBeGreaterThan(0);
    expect(during.answers.filter((answer) => answer.operation === 'order' && answer.status === 201).length).toBeGreaterThan(0);
    for (const name of SERVICES_WITH_CONSUMERS) expect((await fetch(`${platform.service(name).url}/health/ready`)).status).toBe(200);
    expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(reconciliation.problems).toEqual([]);
  });

  it.each([
    ['payment', 'payment'],
    ['trading', 'order'],
  ] as const)('%s killed with SIGKILL mid-request and restarted: no half-written record, and it serves again', async (service, operation) => {
    const recording = traffic.record();
    // A burst of its own so that several requests are surely inside the service when it dies.
    const user = await signUp(platform.gateway.url);
    const burst = Array.from({ length: 8 }, () => traffic.send(operation, user));
    await sleep(150);
    const killedAt = performance.now();
    await platform.killAndRestart(service);
    const burstAnswers = await Promise.all(burst);
    const recoveryMs = await recoveredAfter(killedAt, async () => (await traffic.send(operation)).status === 201);
    const window = recording.end();
    const reconciliation = await reconciled();
    outcomes.push({ fault: `${service} killed (SIGKILL) mid-request, restarted`, traffic: window, recoveryMs, reconciliation });

    expect(platform.crashed()).toEqual([]);
    // The requests inside the dying process got an answer (the gateway's 502), not a hang.
    expect(burstAnswers.filter((answer) => answer.status === 0)).toEqual([]);
    expect(recoveryMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(reconciliation.problems).toEqual([]);
  });

  it('the OTLP collector and Elasticsearch unreachable the whole run: answers unaffected, memory within the container limit', async () => {
    const recording = traffic.record();
    await sleep(15_000);
    const window = recording.end();
    const memory = [...platform.services.values()].map((service) => ({
      name: service.name,
      startMiB: Math.round((memoryAtStart.get(service.name) ?? 0) / 2 ** 20),
      endMiB: Math.round(residentMemoryBytes(service.pid as number) / 2 ** 20),
    }));
    process.stdout.write(`resident memory (MiB) at the start and end of the run: ${memory.map((entry) => `${entry.name} ${entry.startMiB}→${entry.endMiB}`).join(', ')}\n`);
    const reconciliation = await reconciled();
    outcomes.push({ fault: 'OTLP collector and Elasticsearch unreachable (whole run), no other fault', traffic: window, recoveryMs: 0, reconciliation });

    expect(window.served).toBeGreaterThan(0);
    expect(window.errors).toEqual([]);
    for (const entry of memory) expect({ name: entry.name, withinLimit: entry.endMiB * 2 ** 20 < CONTAINER_MEMORY_LIMIT_BYTES }).toEqual({ name: entry.name, withinLimit: true });
    expect(reconciliation.problems).toEqual([]);
  });
});

async function signUp(gatewayUrl: string): Promise<TrafficUser> {
  const email = `chaos-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  const post = (path: string, body: unknown) =>
    fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const registered = await post('/api/users/register', { email, password });
  if (registered.status !== 201) throw new Error(`registration answered ${registered.status}: ${await registered.text()}`);
  const login = await post('/api/users/login', { email, password });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const { accessToken, userId } = (await login.json()) as { accessToken: string; userId: string };
  return { accessToken, userId };
}

async function everyServiceReady(platform: Platform): Promise<boolean> {
  for (const service of platform.services.values()) {
    const response = await fetch(`${service.managementUrl}/health/ready`).catch(() => undefined);
    if (response?.status !== 200) return false;
  }
  return true;
}
