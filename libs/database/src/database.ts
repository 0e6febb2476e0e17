import type { ServiceLogger, ServiceMetrics } from '@ai-finance/observability';
import { Pool, type QueryResultRow } from 'pg';
import type { DatabaseConfig } from './database-config';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './database-unavailable';
import { borrowClient, type LentClient } from './lent-client';

/** A statement run inside a transaction; `afterCommit` callbacks run once the commit succeeded. */
export interface Transaction {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  afterCommit(callback: () => void): void;
}

/** PostgreSQL error codes the services react to. */
export const PG_ERRORS = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  undefinedDatabase: '3D000',
  duplicateDatabase: '42P04',
} as const;

/** The SQLSTATE (or socket error code) of `error`; of its cause when PostgreSQL was unavailable. */
export function pgErrorCode(error: unknown): string | undefined {
  if (error instanceof DatabaseUnavailableError) return pgErrorCode(error.cause);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The service's connection pool. Every statement is named by an `operation` (a bounded label such as
 * `insert_payment`) so that `db_query_duration_seconds` shows which query is slow, and the pool's
 * saturation is exported as gauges read at scrape time.
 */
export class Database {
  readonly pool: Pool;
  private readonly queryDuration;

  constructor(
    readonly config: DatabaseConfig,
    metrics: ServiceMetrics,
    private readonly logger: ServiceLogger,
  ) {
    this.pool = new Pool({
      connectionString: config.url,
      max: config.poolMax,
      connectionTimeoutMillis: config.connectionTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: config.statementTimeoutMs,
      // The server's statement_timeout cannot fire over a dead link; these notice it from this side.
      query_timeout: config.queryTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      options: `-c search_path=${config.schema}`,
      application_name: config.schema,
    });
    // An idle client losing its server emits here; without a listener the process would crash.
    this.pool.on('error', (error) => this.logger.warn({ error }, 'idle PostgreSQL connection failed'));

    this.queryDuration = metrics.histogram({
      name: 'db_query_duration_seconds',
      help: 'PostgreSQL statement and transaction time, by operation and outcome (ok, error).',
      labelNames: ['operation', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    const pool = this.pool;
    metrics.gauge({
      name: 'db_pool_connections',
      help: 'Connections of the service pool by state: active (lent out), idle, and waiting (requests queued for one).',
      labelNames: ['state'],
      collect() {
        this.set({ state: 'active' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    metrics.gauge({ name: 'db_pool_max_connections', help: 'Largest number of connections the pool opens.' }).set(config.poolMax);
  }

  /** One statement outside a transaction. Throws DatabaseUnavailableError when PostgreSQL cannot be reached. */
  async query<R extends QueryResultRow = QueryResultRow>(operation: string, sql: string, params: unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
    const stop = this.queryDuration.startTimer({ operation });
    try {
      const result = await this.pool.query<R>(sql, params);
      stop({ outcome: 'ok' });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      stop({ outcome: 'error' });
      throw asUnavailable(error);
    }
  }

  /**
   * Runs `work` in one transaction: committed if it resolves, rolled back if it throws. Serialization
   * failures and deadlocks are retried (up to three attempts), since PostgreSQL asks the client to.
   * Losing PostgreSQL surfaces as DatabaseUnavailableError, both from `tx.query` and from here.
   */
  async transaction<T>(operation: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.transactionOnce(operation, work);
      } catch (error) {
        const code = pgErrorCode(error);
        const retryable = code === PG_ERRORS.serializationFailure || code === PG_ERRORS.deadlockDetected;
        if (!retryable || attempt >= 3) throw error;
        this.logger.warn({ operation, attempt, code }, 'transaction conflicted; retrying');
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transactionOnce<T>(operation: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const stop = this.queryDuration.startTimer({ operation });
    const lent: LentClient = await borrowClient(this.pool, this.logger, operation).catch((error: unknown) => {
      stop({ outcome: 'error' });
      throw asUnavailable(error);
    });
    const run = <R extends QueryResultRow>(sql: string, params?: unknown[]) =>
      lent.client.query<R>(sql, params).catch((error: unknown) => {
        throw asUnavailable(error);
      });
    const afterCommit: Array<() => void> = [];
    const tx: Transaction = {
      query: async <R extends QueryResultRow>(sql: string, params: unknown[] = []) => {
        const result = await run<R>(sql, params);
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
      afterCommit: (callback) => afterCommit.push(callback),
    };
    let discard = false;
    try {
      await run('BEGIN');
      const result = await work(tx);
      await run('COMMIT');
      stop({ outcome: 'ok' });
      for (const callback of afterCommit) callback();
      return result;
    } catch (error) {
      stop({ outcome: 'error' });
      // A lost or silent connection would only make ROLLBACK wait for its own timeout; the server
      // rolls back when the connection goes.
      if (lent.failed || error instanceof DatabaseUnavailableError) {
        discard = true;
      } else {
        await lent.client.query('ROLLBACK').catch(() => {
          discard = true; // The connection itself failed: do not hand it to the next caller.
        });
      }
      throw error;
    } finally {
      lent.release(discard);
    }
  }
}

function asUnavailable(error: unknown): unknown {
  return isDatabaseUnavailable(error) && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
}
