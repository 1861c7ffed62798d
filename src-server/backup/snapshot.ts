import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { AppError } from '../errors.ts';
import { redactUrl } from '../db/database.ts';
import type { Dialect } from '../db/schema.ts';
import type { Query } from './catalog.ts';

/** Where a command points: the data dir (its `.env`, and its SQLite file unless a PostgreSQL URL is given). */
export interface Place {
  dataDir: string;
  databaseUrl?: string | undefined;
}

/** A consistent, read-only view of a whole database, taken while a server may keep serving it. */
export interface Snapshot {
  dialect: Dialect;
  location: string;
  query: Query;
  close(): Promise<void>;
}

export const sqliteFile = (dataDir: string) => join(dataDir, 'graphistry-admin.sqlite3');

/**
 * SQLite: SQLite's online backup API copies the live database, page by page
 * under one read transaction (in WAL mode a writer never waits for it), into
 * a private temporary file in the data dir, which is then read at leisure
 * and removed. Reading the live database in one long read transaction
 * instead would need no copy, but would keep the server's WAL from starting
 * over for the whole backup: under steady sign-ins it grew to 190 MB during
 * a 13 s backup, and a WAL file keeps its largest size.
 */
export async function sqliteSnapshot(dataDir: string): Promise<Snapshot> {
  const file = sqliteFile(dataDir);
  if (!existsSync(file)) throw new AppError('NO_DATABASE', `There is no database in ${dataDir} (no graphistry-admin.sqlite3): nothing to copy.`);
  const dir = mkdtempSync(join(dataDir, '.snapshot-'));
  const copyFile = join(dir, 'snapshot.sqlite3');
  let copy: SQLite.Database | null = null;
  try {
    const live = new SQLite(file, { fileMustExist: true, timeout: 10_000 });
    try {
      // All remaining pages in one step: one read transaction, so no write in between restarts the copy.
      await live.backup(copyFile, { progress: () => 0x7fffffff });
    } finally {
      live.close();
    }
    copy = new SQLite(copyFile, { readonly: false, fileMustExist: true });
    copy.pragma('query_only = 1');
  } catch (e) {
    copy?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const db = copy;
  return {
    dialect: 'sqlite',
    location: file,
    query: async (text, params = []) => db.prepare(text).all(...params) as Array<Record<string, unknown>>,
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const openSnapshot = (p: Place): Promise<Snapshot> => (p.databaseUrl ? postgresSnapshot(p.databaseUrl) : sqliteSnapshot(p.dataDir));

/** PostgreSQL: one repeatable-read, read-only transaction: every table as of the moment it opened, while the server keeps writing. */
export async function postgresSnapshot(url: string): Promise<Snapshot> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('begin isolation level repeatable read read only');
    // The transaction's snapshot is taken at its first query, not at begin: this one, so it is the moment the snapshot opened.
    await client.query('select 1');
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new AppError('NO_DATABASE', `Cannot read the PostgreSQL database at ${redactUrl(url)}: ${(e as Error).message}.`);
  }
  return {
    dialect: 'postgres',
    location: redactUrl(url),
    query: async (text, params = []) => (await client.query(text, params as unknown[])).rows as Array<Record<string, unknown>>,
    async close() {
      await client.query('rollback').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
