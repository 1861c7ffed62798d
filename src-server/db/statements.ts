import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from './schema.ts';
import type { Dialect } from './database.ts';
import type { SqliteThread } from './sqlite-thread.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * A hot statement, written once with `?` placeholders (no `?` inside
 * literals), for both dialects. Repos run the statements that serve every
 * API request (token checks, key exchange, sign-in, the admin list) through
 * here instead of Kysely's builder: building, compiling and executing a
 * query through Kysely cost more than the SQLite work itself (a profile of
 * `GET /api/v2/me` put a quarter of its CPU in Kysely).
 */
export interface Statement {
  readonly sqlite: string;
  /** INSERT, UPDATE or DELETE: on SQLite, committed by the database thread (see sqlite-thread.ts). */
  readonly write: boolean;
  /** A read that may take long (a search that scans): on SQLite, run by the database thread. */
  readonly offThread: boolean;
  readonly postgres: string;
  /**
   * PostgreSQL prepared-statement name: parsed and planned once per
   * connection. Null for statements whose best plan depends on the values
   * (a search pattern): those are planned afresh each time.
   */
  readonly name: string | null;
}

let named = 0;
const byText = new Map<string, Statement>();

/**
 * The statement for `text`; the same text always gives the same (cached)
 * statement, so callers build texts only from fixed parts (never from input).
 */
export function statement(text: string, opts: { planEachTime?: boolean; offThread?: boolean } = {}): Statement {
  const cacheKey = `${opts.planEachTime ? 'custom:' : ''}${opts.offThread ? 'thread:' : ''}${text}`;
  let s = byText.get(cacheKey);
  if (!s) {
    let n = 0;
    s = Object.freeze({
      sqlite: text,
      postgres: text.replace(/\?/g, () => `$${++n}`),
      name: opts.planEachTime ? null : `gadm_${++named}`,
      write: /^\s*(insert|update|delete)\b/i.test(text),
      offThread: opts.offThread === true,
    });
    byText.set(cacheKey, s);
  }
  return s;
}

/**
 * Run statements on the root database (fast path) or inside a caller's
 * transaction (through Kysely, so the statement joins that transaction).
 */
export interface Statements {
  all<R>(q: Q, s: Statement, params: readonly unknown[]): Promise<R[]>;
  one<R>(q: Q, s: Statement, params: readonly unknown[]): Promise<R | undefined>;
  /** Rows changed. */
  run(q: Q, s: Statement, params: readonly unknown[]): Promise<number>;
}

function viaKysely(q: Q, dialect: Dialect) {
  return async <R>(s: Statement, params: readonly unknown[]) => {
    const r = await q.executeQuery<R>(CompiledQuery.raw(dialect === 'postgres' ? s.postgres : s.sqlite, [...params]));
    return { rows: r.rows, changes: Number(r.numAffectedRows ?? 0) };
  };
}

/**
 * SQLite: statements prepared once on the native connection and run
 * synchronously. Safe beside Kysely's single connection because better-sqlite3
 * is synchronous: when no transaction is open, nothing else can be half-way
 * through a statement, and an autocommit statement cannot land inside another
 * caller's transaction. While one is open (a Kysely transaction between two of
 * its awaits), the statement waits its turn through Kysely's connection lock.
 * With a database thread (a serving process), writes and long reads go there.
 */
export function sqliteStatements(native: SQLite.Database, root: Kysely<Database>, prepare: (text: string) => SQLite.Statement, thread: (() => SqliteThread) | null): Statements {
  const busy = (q: Q) => q !== root || native.inTransaction;
  const onThread = (s: Statement) => thread !== null && (s.write || s.offThread);
  return {
    async all<R>(q: Q, s: Statement, params: readonly unknown[]) {
      if (busy(q)) return (await viaKysely(q, 'sqlite')<R>(s, params)).rows;
      if (onThread(s)) return (await thread!().run(s.sqlite, params, s.write)).rows as R[];
      return prepare(s.sqlite).all(...params) as R[];
    },
    async one<R>(q: Q, s: Statement, params: readonly unknown[]) {
      if (busy(q)) return (await viaKysely(q, 'sqlite')<R>(s, params)).rows[0];
      if (onThread(s)) return (await thread!().run(s.sqlite, params, s.write)).rows[0] as R | undefined;
      return prepare(s.sqlite).get(...params) as R | undefined;
    },
    async run(q: Q, s: Statement, params: readonly unknown[]) {
      if (busy(q)) return (await viaKysely(q, 'sqlite')(s, params)).changes;
      if (onThread(s)) return (await thread!().run(s.sqlite, params, s.write)).changes;
      return prepare(s.sqlite).run(...params).changes;
    },
  };
}

/** PostgreSQL: named prepared statements on the pool (outside a transaction); inside one, through Kysely. */
export function postgresStatements(pool: pg.Pool, root: Kysely<Database>): Statements {
  const query = <R>(s: Statement, params: readonly unknown[]) =>
    (s.name ? pool.query({ name: s.name, text: s.postgres, values: [...params] }) : pool.query(s.postgres, [...params])) as unknown as Promise<pg.QueryResult<R & pg.QueryResultRow>>;
  return {
    async all<R>(q: Q, s: Statement, params: readonly unknown[]) {
      if (q !== root) return (await viaKysely(q, 'postgres')<R>(s, params)).rows;
      return (await query<R>(s, params)).rows;
    },
    async one<R>(q: Q, s: Statement, params: readonly unknown[]) {
      if (q !== root) return (await viaKysely(q, 'postgres')<R>(s, params)).rows[0];
      return (await query<R>(s, params)).rows[0];
    },
    async run(q: Q, s: Statement, params: readonly unknown[]) {
      if (q !== root) return (await viaKysely(q, 'postgres')(s, params)).changes;
      return (await query(s, params)).rowCount ?? 0;
    },
  };
}
