import { createServiceLogger, ServiceMetrics } from '@ai-finance/observability';
import { createTestDatabase, sampleValue, type TestDatabase } from '@ai-finance/testing';
import { Writable } from 'node:stream';
import { Database, PG_ERRORS, pgErrorCode, runMigrations, type Migration } from '../src';
import { loadDatabaseConfig } from '../src/database-config';

const logger = createServiceLogger({ serviceName: 'database-test', level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });

const MIGRATIONS: Migration[] = [
  { id: '001_accounts', sql: 'CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(20,2) NOT NULL)' },
  { id: '002_seed', sql: "INSERT INTO accounts VALUES (1, '10.00')" },
];

describe('Database against a real PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let metrics: ServiceMetrics;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('dblib');
    metrics = new ServiceMetrics('database-test');
    database = new Database(loadDatabaseConfig('ledger_test', { DATABASE_URL: testDatabase.url }), metrics, logger);
  });

  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('applies migrations once into the service schema, and a second run applies nothing', async () => {
    expect(await runMigrations(database, MIGRATIONS, logger)).toEqual(['001_accounts', '002_seed']);
    expect(await runMigrations(database, MIGRATIONS, logger)).toEqual([]);
    const { rows } = await database.query<{ schema: string; balance: string }>('read', 'SELECT current_schema() AS schema, balance FROM accounts');
    expect(rows).toEqual([{ schema: 'ledger_test', balance: '10.00' }]);
  });

  it('two instances migrating at once apply each migration exactly once', async () => {
    const other = new Database(loadDatabaseConfig('concurrent_test', { DATABASE_URL: testDatabase.url }), new ServiceMetrics('database-test-2'), logger);
    const again = new Database(loadDatabaseConfig('concurrent_test', { DATABASE_URL: testDatabase.url }), new ServiceMetrics('database-test-3'), logger);
    try {
      const [first, second] = await Promise.all([runMigrations(other, MIGRATIONS, logger), runMigrations(again, MIGRATIONS, logger)]);
      expect([...first, ...second].sort()).toEqual(['001_accounts', '002_seed']);
      expect((await other.query('count', 'SELECT count(*)::int AS n FROM accounts')).rows).toEqual([{ n: 1 }]);
    } finally {
      await other.close();
      await again.close();
    }
  });

  it('rolls a transaction back when its work throws, and runs afterCommit callbacks only on commit', async () => {
    const committed: string[] = [];
    await expect(
      database.transaction('failing', async (tx) => {
        await tx.query("UPDATE accounts SET balance = balance - '5.00' WHERE id = 1");
        tx.afterCommit(() => committed.push('failing'));
        throw new Error('provider declined');
      }),
    ).rejects.toThrow('provider declined');
    await database.transaction('succeeding', async (tx) => {
      await tx.query("UPDATE accounts SET balance = balance - '2.50' WHERE id = 1");
      tx.afterCommit(() => committed.push('succeeding'));
    });
    expect(committed).toEqual(['succeeding']);
    expect((await database.query('read', 'SELECT balance FROM accounts WHERE id = 1')).rows).toEqual([{ balance: '7.50' }]);
  });

  it('exposes the PostgreSQL error code of a failed statement', async () => {
    const error = await database.query('duplicate', "INSERT INTO accounts VALUES (1, '1.00')").catch((caught: unknown) => caught);
    expect(pgErrorCode(error)).toBe(PG_ERRORS.uniqueViolation);
  });

  it('records query time by operation and outcome, and the pool size, in /metrics', async () => {
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'db_query_duration_seconds_count', { operation: 'succeeding', outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, 'db_query_duration_seconds_count', { operation: 'failing', outcome: 'error' })).toBe(1);
    expect(sampleValue(text, 'db_query_duration_seconds_count', { operation: 'duplicate', outcome: 'error' })).toBe(1);
    expect(sampleValue(text, 'db_pool_max_connections')).toBe(10);
    expect(text).toMatch(/db_pool_connections\{[^}]*state="idle"[^}]*\} \d+/);
  });

  it('rejects a DATABASE_SCHEMA that is not a plain lower-case identifier, naming the variable', () => {
    expect(() => loadDatabaseConfig('x', { DATABASE_SCHEMA: 'public; DROP TABLE users' })).toThrow(/DATABASE_SCHEMA/);
    expect(() => loadDatabaseConfig('x', { DATABASE_URL: 'mysql://127.0.0.1/x' })).toThrow(/DATABASE_URL/);
  });
});
