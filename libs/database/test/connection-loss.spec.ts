import { createServiceLogger, ServiceMetrics } from '@ai-finance/observability';
import { createTestDatabase, TcpProxy, TEST_POSTGRES_URL, type TestDatabase } from '@ai-finance/testing';
import { Writable } from 'node:stream';
import { Database, DatabaseUnavailableError, loadDatabaseConfig } from '../src';

const logger = createServiceLogger({ serviceName: 'connection-loss-test', level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('Database whose PostgreSQL connection is cut', () => {
  let testDatabase: TestDatabase;
  let proxy: TcpProxy;
  let database: Database;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): number => uncaught.push(error);

  beforeAll(async () => {
    testDatabase = await createTestDatabase('connloss');
    proxy = await TcpProxy.inFrontOf(TEST_POSTGRES_URL, 5432);
    database = new Database(
      loadDatabaseConfig('connloss_test', { DATABASE_URL: proxy.route(testDatabase.url), DATABASE_CONNECT_TIMEOUT_MS: '1000' }),
      new ServiceMetrics('connection-loss-test'),
      logger,
    );
    process.on('uncaughtException', onUncaught);
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await database?.close();
    await proxy?.stop();
    await testDatabase?.drop();
  });

  it('rejects the transaction without an uncaught error event, and the next transaction succeeds once the server is back', async () => {
    const cutWhileRunning = database.transaction('sleep', async (tx) => {
      setTimeout(() => void proxy.stop(), 300);
      await tx.query('SELECT pg_sleep(2)');
    });
    await expect(cutWhileRunning).rejects.toThrow(/unavailable/i);
    // The socket's 'error' event fires next to the rejection; give a missing listener time to show.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(uncaught).toEqual([]);

    await proxy.start();
    const result = await database.transaction('after_outage', (tx) => tx.query<{ one: number }>('SELECT 1 AS one'));
    expect(result.rows).toEqual([{ one: 1 }]);
    expect(database.pool.totalCount).toBeLessThanOrEqual(1);
  });

  it('throws DatabaseUnavailableError at once while the server is cut, and works again when it returns, without a restart', async () => {
    await proxy.stop();
    const started = Date.now();
    const queryError = await database.query('read', 'SELECT 1').catch((error: unknown) => error);
    const transactionError = await database.transaction('write', (tx) => tx.query('SELECT 1')).catch((error: unknown) => error);
    expect(queryError).toBeInstanceOf(DatabaseUnavailableError);
    expect(transactionError).toBeInstanceOf(DatabaseUnavailableError);
    expect((queryError as Error).message).toBe('PostgreSQL is unavailable; try again shortly');
    expect((queryError as Error).cause).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(2_000);

    await proxy.start();
    expect((await database.query<{ one: number }>('read', 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('gives up on a statement left unanswered once the client-side query timeout passes, in and outside transactions', async () => {
    const url = new URL(testDatabase.url);
    const impatient = new Database(
      { ...loadDatabaseConfig('connloss_test', { DATABASE_URL: url.toString() }), statementTimeoutMs: 10_000, queryTimeoutMs: 300 },
      new ServiceMetrics('query-timeout-test'),
      logger,
    );
    try {
      const started = Date.now();
      const outside = await impatient.query('slow', 'SELECT pg_sleep(2)').catch((error: unknown) => error);
      const inside = await impatient.transaction('slow', (tx) => tx.query('SELECT pg_sleep(2)')).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(1_800);
      for (const error of [outside, inside]) {
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect((error as DatabaseUnavailableError).cause).toMatchObject({ message: 'Query read timeout' });
      }
      expect((await impatient.transaction('next', (tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
    } finally {
      await impatient.close();
    }
  });
});
