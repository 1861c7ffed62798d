import pg from 'pg';

/** The PostgreSQL the tests use; CI and this machine run one on 127.0.0.1:5432 with trust auth. */
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgReachable(url = TEST_PG_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema per test app, so suites run side by side on one database without seeing each other. */
export async function createSchema(url = TEST_PG_URL): Promise<string> {
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema ${name}`);
  } finally {
    await client.end();
  }
  return name;
}

export async function dropSchema(name: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${name} cascade`);
  } finally {
    await client.end();
  }
}

/** URL whose connections use `schema` as search_path (for server processes started by tests). */
export function urlWithSchema(schema: string, url = TEST_PG_URL): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
