import { existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { AppError } from '../errors.ts';
import { redactUrl } from '../db/database.ts';
import type { Dialect } from '../db/schema.ts';
import { ensurePrivateFile } from '../lib/private-files.ts';
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from '../lib/data-dir-lock.ts';
import { sqliteFile } from './snapshot.ts';

/** An empty database to copy into: SQLite in a data dir, or a PostgreSQL database (its current schema). */
export interface Target {
  dialect: Dialect;
  location: string;
  db: Kysely<unknown>;
  /** After a failure: remove whatever this process created (the SQLite file); PostgreSQL's transaction already rolled back. */
  discard(): Promise<void>;
  close(): Promise<void>;
}

export function lockDataDir(dataDir: string): DataDirLock {
  try {
    return acquireDataDirLock(dataDir);
  } catch (e) {
    if (e instanceof DataDirLockedError) throw new AppError('SERVER_RUNNING', `${e.message}.`);
    throw e;
  }
}

export async function sqliteTarget(dataDir: string, lock = true): Promise<Target> {
  const file = sqliteFile(dataDir);
  const taken = [file, `${file}-wal`].some((f) => existsSync(f) && statSync(f).size > 0);
  if (taken) throw new AppError('TARGET_NOT_EMPTY', `${dataDir} already holds a database (${file}): restore only into an empty data dir.`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const held = lock ? lockDataDir(dataDir) : null;
  ensurePrivateFile(file);
  const native = new SQLite(file, { timeout: 10_000 });
  native.pragma('journal_mode = WAL');
  native.pragma('foreign_keys = ON');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: native }) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await db.destroy();
    held?.release();
  };
  return {
    dialect: 'sqlite',
    location: file,
    db,
    async discard() {
      await close();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) unlinkSync(f);
    },
    close,
  };
}

export async function postgresTarget(url: string): Promise<Target> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  const location = redactUrl(url);
  let tables: number;
  let schema: string | null;
  try {
    const r = await pool.query(
      `select current_schema() as schema, (select count(*) from information_schema.tables where table_schema = current_schema()) as n`,
    );
    schema = r.rows[0]?.schema ?? null;
    tables = Number(r.rows[0]?.n ?? 0);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new AppError('NO_DATABASE', `Cannot reach the PostgreSQL database at ${location}: ${(e as Error).message}.`);
  }
  if (!schema || tables > 0) {
    await pool.end().catch(() => undefined);
    throw new AppError(
      'TARGET_NOT_EMPTY',
      schema
        ? `The PostgreSQL database at ${location} already has ${tables} table(s) in schema ${schema}: restore only into an empty database.`
        : `The PostgreSQL database at ${location} has no schema to create tables in (its search_path names none that exists).`,
    );
  }
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return { dialect: 'postgres', location, db, discard: () => db.destroy(), close: () => db.destroy() };
}
