import { Client } from 'pg';
import { uniqueName } from './ports';

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database under a unique name; `drop()` removes it with whatever is still connected. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(`test_${label}`).replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 60);
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: testDatabaseUrl(name),
    name,
    drop: () => dropTestDatabase(name),
  };
}

/** The URL of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database of the test server with whatever is still connected to it; none is fine. */
export async function dropTestDatabase(name: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
