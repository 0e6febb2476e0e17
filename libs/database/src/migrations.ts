import type { ServiceLogger } from '@ai-finance/observability';
import { Client } from 'pg';
import { PG_ERRORS, pgErrorCode, type Database } from './database';
import { borrowClient } from './lent-client';

export interface Migration {
  /** Sortable and never reused, e.g. `001_create_payments`. */
  id: string;
  sql: string;
}

/**
 * Creates the service's schema and applies the migrations not yet recorded in its
 * `schema_migrations` table, each in its own transaction. An advisory lock per schema makes two
 * instances starting together apply each migration once; running it again changes nothing.
 */
export async function runMigrations(database: Database, migrations: Migration[], logger: ServiceLogger): Promise<string[]> {
  const ids = migrations.map((migration) => migration.id);
  if (new Set(ids).size !== ids.length) throw new Error(`migration ids must be unique: ${ids.join(', ')}`);
  const schema = database.config.schema;
  await ensureDatabase(database.config.url);

  const lent = await borrowClient(database.pool, logger, 'migrations');
  const client = lent.client;
  const applied: string[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations`)).rows.map((row) => row.id));
    for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
      if (done.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [migration.id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      applied.push(migration.id);
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrations:${schema}`]).catch(() => undefined);
    lent.release();
  }
  if (applied.length > 0) logger.info({ schema, migrations: applied }, `applied ${applied.length} migration(s)`);
  return applied;
}

/** Creates the database named in `url` when it does not exist yet, so a fresh server needs no manual step. */
export async function ensureDatabase(url: string): Promise<void> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if (pgErrorCode(error) !== PG_ERRORS.undefinedDatabase) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" is not a plain identifier`);
  target.pathname = '/postgres';
  const admin = new Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    // Another service created it at the same moment.
    const code = pgErrorCode(error);
    if (code !== PG_ERRORS.duplicateDatabase && code !== PG_ERRORS.uniqueViolation) throw error;
  } finally {
    await admin.end();
  }
}
