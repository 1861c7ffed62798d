import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { postgresStatements, sqliteStatements, type Statements } from './statements.ts';
import { ensurePrivateFile } from '../lib/private-files.ts';
import { startSqliteThread, type SqliteThread } from './sqlite-thread.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  /** Prepared statements for the hot paths (see statements.ts). */
  readonly statements: Statements;
  /**
   * Run `fn` in a transaction that holds the accounts write lock, so decisions
   * like "is this the first user?" or "is another superuser left?" cannot
   * race: `BEGIN IMMEDIATE` on SQLite (serialises writers across processes),
   * a transaction-scoped advisory lock on PostgreSQL (serialises every server
   * process sharing the database).
   */
  withAccountsLock<T>(fn: (trx: Transaction<Database> | Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * SQLite only (null on PostgreSQL): how many statements this process has run
   * on its connection so far, plus the writes its database thread has
   * acknowledged. Unchanged means this process wrote nothing meanwhile (see
   * gate/auth-revision-repo.ts). PostgreSQL needs none: a commit there
   * completes in a later event-loop turn.
   */
  readonly localStatements: (() => number) | null;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Use an in-memory SQLite database (tests). */
  memory?: boolean;
  /** PostgreSQL schema to use as search_path (tests isolate by schema). */
  pgSchema?: string;
  pgPoolSize?: number;
  /**
   * SQLite: commit writes, checkpoint and run long reads on a database thread
   * (sqlite-thread.ts), so none of it stalls the event loop. For serving
   * processes; a one-shot command has no requests to stall.
   */
  databaseThread?: boolean;
}

const ACCOUNTS_LOCK_KEY = 0x6772_6170; // arbitrary constant shared by every process

export async function openDatabase(opts: OpenDbOptions): Promise<Db> {
  // pg is loaded only for PostgreSQL: it pulls in TLS and DNS, a third of a SQLite command's start-up.
  const db = opts.databaseUrl ? openPostgres((await import('pg')).default, opts.databaseUrl, opts) : openSqlite(opts);
  try {
    await migrateToLatest(db.kysely as Kysely<unknown>, db.dialect);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

function openSqlite(opts: OpenDbOptions): Db {
  let file = ':memory:';
  if (!opts.memory) {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    file = join(opts.dataDir, 'graphistry-admin.sqlite3');
    ensurePrivateFile(file); // password hashes: 0600, not the umask's 0644
  }
  const native = new SQLite(file, { timeout: 10_000 });
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('foreign_keys = ON');
  native.pragma('busy_timeout = 10000');
  const threaded = opts.databaseThread === true && !opts.memory;
  // Checkpoints (and their fsyncs) belong to the database thread then, never to a request.
  if (threaded) native.pragma('wal_autocheckpoint = 0');
  let thread: SqliteThread | null = null;
  let threadWrites = 0;
  const countingWrites = (t: SqliteThread): SqliteThread => ({
    async run(sqlText, params, write) {
      try {
        return await t.run(sqlText, params, write);
      } finally {
        if (write) threadWrites++;
      }
    },
    close: () => t.close(),
  });
  const cached = withStatementCache(native);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  return {
    kysely,
    dialect: 'sqlite',
    location: file,
    // Started on first use, after the migrations made the schema it prepares against.
    statements: sqliteStatements(native, kysely, cached.prepare, threaded ? () => (thread ??= countingWrites(startSqliteThread(file))) : null),
    // Writes on the database thread count once acknowledged (committed), before their caller resumes.
    localStatements: () => cached.statementsRun() + threadWrites,
    async withAccountsLock(fn) {
      // Kysely's SQLite driver runs one connection behind a mutex, so holding it
      // for the whole transaction also serialises writers inside this process.
      return kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (e) {
          await sql`rollback`.execute(conn);
          throw e;
        }
      });
    },
    async close() {
      await thread?.close();
      await kysely.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every statement afresh; preparing costs
 * about as much as running a small query. Statements are reused by SQL text
 * (bounded, since generated SQL varies), which is safe because Kysely runs
 * them one at a time under its connection lock and never streams here.
 */
function withStatementCache(native: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  // Every caller (Kysely's driver, the hot-path statements) prepares and runs in one synchronous step, so this counts statements run.
  let run = 0;
  return {
    statementsRun: () => run,
    prepare(text: string): SQLite.Statement {
      run++;
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
    kysely,
    dialect: 'postgres',
    location: redactUrl(url),
    statements: postgresStatements(pool, kysely),
    localStatements: null,
    async withAccountsLock(fn) {
      return kysely.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${ACCOUNTS_LOCK_KEY})`.execute(trx);
        return fn(trx);
      });
    },
    async close() {
      await kysely.destroy();
    },
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
