import type { ServiceLogger } from '@ai-finance/observability';
import type { Pool, PoolClient } from 'pg';

/** A pool connection borrowed for a transaction or a migration run. */
export interface LentClient {
  readonly client: PoolClient;
  /** True once the connection failed while lent out. */
  readonly failed: boolean;
  /** Gives the connection back to the pool, or destroys it when it failed or `discard` is set. */
  release(discard?: boolean): void;
}

/**
 * pg-pool listens for a client's 'error' only while the client is idle; a socket failing while the
 * client is lent out (PostgreSQL restarted, link cut mid-transaction) would otherwise be an unhandled
 * 'error' event that ends the process. The failed statement itself rejects on its own.
 */
export async function borrowClient(pool: Pool, logger: ServiceLogger, operation: string): Promise<LentClient> {
  const client = await pool.connect();
  let failed = false;
  const onError = (error: Error): void => {
    failed = true;
    logger.warn({ error, operation }, 'PostgreSQL connection failed while in use; it will be discarded');
  };
  client.on('error', onError);
  return {
    client,
    get failed() {
      return failed;
    },
    release(discard = false) {
      client.off('error', onError);
      client.release(failed || discard);
    },
  };
}
