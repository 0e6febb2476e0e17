import { randomUUID } from 'node:crypto';
import {
  createRabbitNamespace,
  createTestDatabase,
  deleteRedisKeys,
  freePort,
  serviceEnv,
  startNestApp,
  TcpProxy,
  TestEnv,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import type { LoginFailureCounter as LoginFailureCounterType } from '../src/auth/login-failures';

// user-management whose Redis is reached through a TCP proxy the test can cut, against the real
// PostgreSQL, Redis and RabbitMQ; every name is unique to this run.
const REDIS = { host: '127.0.0.1', port: 6379 };
const KEY_BASE = uniqueName('test-um-lockout');
const KEY_PREFIX = `${KEY_BASE}:`;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'wrong-password-guess';
const CLIENT_IP = '203.0.113.9';
const FALLBACK_WARNING = /in memory/;

type LogLine = Record<string, unknown> & { level: string; message: string };

describe('user-management lockout while Redis is unreachable (real PostgreSQL, Redis through a TCP proxy, RabbitMQ)', () => {
  const env = new TestEnv();
  const logLines: LogLine[] = [];
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let proxy: TcpProxy;
  let redis: Redis;
  let pg: Client;
  let app: INestApplication;
  let LoginFailureCounter: typeof LoginFailureCounterType;

  const http = () => request(app.getHttpServer());
  const login = (email: string, password: string) => http().post('/login').set('x-forwarded-for', CLIENT_IP).send({ email, password });
  const fallbackWarnings = () => logLines.filter((line) => line.level === 'warn' && FALLBACK_WARNING.test(line.message));
  const readiness = async () => (await http().get('/health/ready')).status;

  async function register(label: string): Promise<{ email: string; userId: string }> {
    const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
    const response = await http().post('/register').send({ email, password: PASSWORD });
    expect(response.status).toBe(201);
    return { email, userId: response.body.userId as string };
  }

  async function cutRedis(): Promise<void> {
    await proxy.stop();
    await waitFor('readiness to report Redis down', async () => ((await readiness()) === 503 ? true : undefined));
  }

  async function restoreRedis(): Promise<void> {
    await proxy.start();
    await waitFor('readiness to report Redis back', async () => ((await readiness()) === 200 ? true : undefined));
  }

  beforeAll(async () => {
    database = await createTestDatabase('user_management');
    rabbit = createRabbitNamespace('user-management');
    proxy = new TcpProxy(REDIS, await freePort());
    await proxy.start();
    redis = new Redis(`redis://${REDIS.host}:${REDIS.port}`);
    env.set({
      ...serviceEnv(database, rabbit),
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      JWT_SECRET: `test-secret-${randomUUID()}-long-enough`,
      ACTIVE_USERS_REFRESH_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'info',
    });
    const { UserManagementModule } = await import('../src/app.module');
    ({ LoginFailureCounter } = await import('../src/auth/login-failures'));
    const logDestination = { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) };
    app = await startNestApp(UserManagementModule.forRoot({ logDestination }), { fastify: { trustProxy: true } });
    pg = new Client({ connectionString: database.url, options: '-c search_path=user_management' });
    await pg.connect();
    await waitFor('GET /health/ready to report ready', async () => ((await readiness()) === 200 ? true : undefined));
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await pg?.end();
    await rabbit?.cleanup([]);
    if (redis) {
      await deleteRedisKeys(redis, KEY_BASE);
      redis.disconnect();
    }
    await database?.drop();
    env.restore();
  });

  it('still locks the account at the 5th wrong password, counting failures in memory, and warns once per outage', async () => {
    const { email, userId } = await register('outage');
    const warningsBefore = fallbackWarnings().length;
    await cutRedis();

    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await login(email, WRONG)).status).toBe(401);
    const fifth = await login(email, WRONG);
    const rightPassword = await login(email, PASSWORD);

    expect(fifth.status).toBe(423);
    expect(rightPassword.status).toBe(423);
    expect(Number(rightPassword.headers['retry-after'])).toBeGreaterThan(0);
    const { rows } = await pg.query('SELECT failed_attempts, ip_address FROM account_locks WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ failed_attempts: 5, ip_address: CLIENT_IP }]);
    expect(fallbackWarnings()).toHaveLength(warningsBefore + 1);

    await restoreRedis();
    // Back on Redis: the next failure of another account is shared again, and a later outage warns again.
    const other = await register('after-outage');
    expect((await login(other.email, WRONG)).status).toBe(401);
    expect(await redis.get(`${KEY_PREFIX}login-failures:${other.userId}`)).toBe('1');
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringMatching(/Redis.*again/) }));

    await cutRedis();
    expect((await login(other.email, WRONG)).status).toBe(401);
    expect(fallbackWarnings()).toHaveLength(warningsBefore + 2);
    await restoreRedis();
  });

  it('lets the right password in while Redis is down, and the success clears the failures counted in memory', async () => {
    const { email } = await register('outage-success');
    await cutRedis();

    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await login(email, WRONG)).status).toBe(401);
    expect((await login(email, PASSWORD)).status).toBe(200);
    // Four more after the success are failures 1 to 4 of a fresh count, not 5 to 8; the fifth locks.
    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await login(email, WRONG)).status).toBe(401);
    expect((await login(email, WRONG)).status).toBe(423);

    await restoreRedis();
  });

  describe('the in-memory fallback', () => {
    let unreachable: Redis;
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, message: string) => void warnings.push(message), info: () => undefined };

    beforeAll(async () => {
      // A client whose connection is gone: every command fails at once, as in an outage.
      unreachable = new Redis(`redis://${REDIS.host}:${REDIS.port}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      await waitFor('the extra Redis connection', () => (unreachable.status === 'ready' ? true : undefined));
      unreachable.disconnect();
    });

    it('forgets failures when their window ends, as the Redis key would expire', async () => {
      let now = 1_000_000;
      const counter = new LoginFailureCounter(unreachable, KEY_PREFIX, 60, logger as never, { maxAccountsInMemory: 100, now: () => now });

      expect([await counter.record('a'), await counter.record('a'), await counter.record('b')]).toEqual([1, 2, 1]);
      now += 59_999;
      expect(await counter.record('a')).toBe(3);
      now += 1;
      expect(await counter.record('a')).toBe(1);
      expect(warnings).toHaveLength(1);
    });

    it('keeps at most maxAccountsInMemory accounts, forgetting the oldest window first', async () => {
      const counter = new LoginFailureCounter(unreachable, KEY_PREFIX, 60, logger as never, { maxAccountsInMemory: 2, now: () => 0 });

      await counter.record('first');
      await counter.record('second');
      await counter.record('second');
      await counter.record('third');

      expect(await counter.record('second')).toBe(3);
      expect(await counter.record('third')).toBe(2);
      expect(await counter.record('first')).toBe(1);
    });
  });
});
