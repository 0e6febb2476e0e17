import { ConfigurationError, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** How much longer than the server's statement timeout the client waits before it gives up on the link. */
const QUERY_TIMEOUT_MARGIN_MS = 1_000;

export interface DatabaseConfig {
  url: string;
  /** The PostgreSQL schema that holds this service's tables; every connection's search_path. */
  schema: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Client-side limit on one statement, for a link that went silent; above statementTimeoutMs. */
  queryTimeoutMs: number;
  connectionTimeoutMs: number;
}

/**
 * Reads DATABASE_URL, DATABASE_SCHEMA, DATABASE_POOL_MAX, DATABASE_STATEMENT_TIMEOUT_MS,
 * DATABASE_QUERY_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS.
 */
export function loadDatabaseConfig(defaultSchema: string, source: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const values = loadEnv(
    {
      DATABASE_URL: z
        .string()
        .default('postgres://postgres@127.0.0.1:5432/ai_finance')
        .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL'),
      DATABASE_SCHEMA: z.string().default(defaultSchema).refine((value) => SCHEMA_NAME.test(value), 'must be a lower-case identifier'),
      DATABASE_POOL_MAX: env.positiveInt(10),
      DATABASE_STATEMENT_TIMEOUT_MS: env.positiveInt(5_000),
      DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
      DATABASE_CONNECT_TIMEOUT_MS: env.positiveInt(3_000),
    },
    source,
  );
  const statementTimeoutMs = values.DATABASE_STATEMENT_TIMEOUT_MS;
  const queryTimeoutMs = values.DATABASE_QUERY_TIMEOUT_MS ?? statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS;
  if (queryTimeoutMs <= statementTimeoutMs) {
    // Otherwise a slow statement would be cut by the client, leaving the server running it.
    throw new ConfigurationError([
      `DATABASE_QUERY_TIMEOUT_MS: must be greater than DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeoutMs}) (got "${queryTimeoutMs}")`,
    ]);
  }
  return {
    url: values.DATABASE_URL,
    schema: values.DATABASE_SCHEMA,
    poolMax: values.DATABASE_POOL_MAX,
    statementTimeoutMs,
    queryTimeoutMs,
    connectionTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
  };
}
