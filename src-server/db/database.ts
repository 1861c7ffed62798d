import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type { Database, Dialect } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { postgresStatements, sqliteStatements, type Statements } from './statements.ts';
import { ensurePrivateFile } from '../lib/private-files.ts';
import { inProcessWriter, threadWriter } from './writer-port.ts';
import { writerDialect } from './writer-dialect.ts';

export type { Dialect };

/**
 * The database, as two handles that every call site names, so a reader sees
 * where each query runs (as PocketBase's ConcurrentDB / NonconcurrentDB).
 */
export interface Db {
  readonly dialect: Dialect;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  /**
   * Reads. SQLite: a connection of the main thread's own, read-only, that
   * answers synchronously and never waits for a write or a transaction (in
   * WAL mode it reads the last commit). PostgreSQL: the pool.
   */
  readonly read: Kysely<Database>;
  /**
   * Writes and transactions. SQLite: the writer (sqlite-writer.ts), on the
   * database thread of a serving process, in-process for a one-shot
   * command; a write's promise settles after its commit. PostgreSQL: the
   * same pool as `read`.
   */
  readonly write: Kysely<Database>;
  /** Prepared statements for the hot paths, run on a handle or in a transaction (see statements.ts). */
  readonly statements: Statements;
  /**
   * Run `fn` in a transaction that holds the accounts write lock, so decisions
   * like "is this the first user?" or "is another superuser left?" cannot
   * race: the SQLite writer's transactions are IMMEDIATE (they serialise
   * writers across processes); on PostgreSQL a transaction-scoped advisory
   * lock serialises every server process sharing the database.
   */
  withAccountsLock<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to use as search_path (tests isolate by schema). */
  pgSchema?: string;
  pgPoolSize?: number;
  /**
   * SQLite: the writer on a database thread of its own, so no commit or
   * checkpoint stalls the event loop. For serving processes; a one-shot
   * command has no requests to stall.
   */
  databaseThread?: boolean;
}

const ACCOUNTS_LOCK_KEY = 0x6772_6170; // arbitrary constant shared by every process

export async function openDatabase(opts: OpenDbOptions): Promise<Db> {
  // pg is loaded only for PostgreSQL: it pulls in TLS and DNS, a third of a SQLite command's start-up.
  const db = opts.databaseUrl ? openPostgres((await import('pg')).default, opts.databaseUrl, opts) : openSqlite(opts);
  try {
    await migrateToLatest(db.write as Kysely<unknown>, db.dialect);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

function openSqlite(opts: OpenDbOptions): Db {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const file = join(opts.dataDir, 'graphistry-admin.sqlite3');
  ensurePrivateFile(file); // password hashes: 0600, not the umask's 0644
  // The writer first: it puts the file in WAL mode.
  const writer = opts.databaseThread ? threadWriter(file) : inProcessWriter(file);
  const write = new Kysely<Database>({ dialect: writerDialect(writer) });
  const native = new SQLite(file, { timeout: 10_000 });
  native.pragma('busy_timeout = 10000');
  // Every write goes through `write`: one here would fail instead of bypassing the writer.
  native.pragma('query_only = 1');
  // 64 MiB of page cache (SQLite's default is 2 MiB), filled only as pages are read: at a million
  // users the admin list's count and its page no longer evict each other's index pages.
  native.pragma('cache_size = -65536');
  const reader = withStatementCache(native);
  const read = new Kysely<Database>({ dialect: new SqliteDialect({ database: reader }) });
  return {
    dialect: 'sqlite',
    location: file,
    read,
    write,
    statements: sqliteStatements({ read, write }, reader.prepare, writer),
    withAccountsLock: (fn) => write.transaction().execute(fn),
    async close() {
      await write.destroy();
      await read.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every statement afresh; preparing costs
 * about as much as running a small query. Statements are reused by SQL text
 * (bounded, since generated SQL varies), which is safe because each is run
 * to completion where it is prepared and never streamed.
 */
function withStatementCache(native: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string): SQLite.Statement {
      let statement = cache.get(text);
      if (!statement) {
        statement = native.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      native.close();
    },
  };
}

function openPostgres(driver: typeof pg, url: string, opts: OpenDbOptions): Db {
  const pool = new driver.Pool({
    connectionString: url,
    max: opts.pgPoolSize ?? 10,
    ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
  });
  // An idle client losing its connection must not crash the server.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    location: redactUrl(url),
    read: kysely,
    write: kysely,
    statements: postgresStatements(pool, kysely),
    withAccountsLock: (fn) =>
      kysely.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${ACCOUNTS_LOCK_KEY})`.execute(trx);
        return fn(trx);
      }),
    close: () => kysely.destroy(),
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
