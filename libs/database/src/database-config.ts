import { env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export interface DatabaseConfig {
  url: string;
  /** The PostgreSQL schema that holds this service's tables; every connection's search_path. */
  schema: string;
  poolMax: number;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
}

/** Reads DATABASE_URL, DATABASE_SCHEMA, DATABASE_POOL_MAX, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_CONNECT_TIMEOUT_MS. */
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
      DATABASE_CONNECT_TIMEOUT_MS: env.positiveInt(3_000),
    },
    source,
  );
  return {
    url: values.DATABASE_URL,
    schema: values.DATABASE_SCHEMA,
    poolMax: values.DATABASE_POOL_MAX,
    statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
  };
}
