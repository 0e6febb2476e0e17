import Redis from 'ioredis';
import { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';
import { HealthRegistry } from '../src/health/health-registry';
import { postgresCheck, redisCheck } from '../src/health/dependency-checks';

// Ports where nothing listens: 1 is reserved (tcpmux) and never served on this machine.
const CLOSED = 1;

function registry(): HealthRegistry {
  return new HealthRegistry(new Gauge({ name: 'health_dependency_up', help: 'h', labelNames: ['dependency'], registers: [new Registry()] }));
}

describe('dependency checks against the real servers', () => {
  const pools: Pool[] = [];
  const redises: Redis[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    for (const redis of redises) redis.disconnect();
  });

  it('reports PostgreSQL up when it answers and down, with the reason, when it does not', async () => {
    const health = registry();
    const live = new Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1_000 });
    const dead = new Pool({ host: '127.0.0.1', port: CLOSED, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1_000 });
    pools.push(live, dead);
    health.register('postgres', postgresCheck(live));
    health.register('postgres-replica', postgresCheck(dead));
    const report = await health.readiness();
    expect(report.dependencies.postgres).toMatchObject({ status: 'up' });
    expect(report.dependencies['postgres-replica']).toMatchObject({ status: 'down', error: expect.stringContaining('ECONNREFUSED') });
    expect(report).toMatchObject({ status: 'not_ready', down: ['postgres-replica'] });
  });

  it('reports Redis up when connected, and down at once (no queued ping) when it is not', async () => {
    const live = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, enableOfflineQueue: false });
    const dead = new Redis(`redis://127.0.0.1:${CLOSED}`, { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    redises.push(live, dead);
    await live.connect();
    await dead.connect().catch(() => undefined);

    const health = registry();
    health.register('redis', redisCheck(live));
    health.register('redis-cache', redisCheck(dead), { timeoutMs: 5_000 });
    const report = await health.readiness();
    expect(report.dependencies.redis.status).toBe('up');
    expect(report.dependencies['redis-cache']).toMatchObject({ status: 'down', error: expect.stringContaining('redis connection is') });
  });

  it('reports a check that hangs as down once its timeout passes', async () => {
    const health = registry();
    health.register('stuck', () => new Promise(() => undefined), { timeoutMs: 100 });
    const report = await health.readiness();
    expect(report.dependencies.stuck).toMatchObject({ status: 'down', error: 'no answer within 100 ms' });
  });
});
