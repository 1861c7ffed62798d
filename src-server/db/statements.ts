import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { Database, Dialect } from './schema.ts';
import type { WriterPort } from './writer-port.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * A hot statement, written once with `?` placeholders (no `?` inside
 * literals), for both dialects. Repos run the statements that serve every
 * API request (token checks, key exchange, sign-in, the admin list) through
 * here instead of Kysely's builder: building and compiling a query through
 * Kysely cost more than the SQLite work itself (a profile of `GET
 * /api/v2/me` put a quarter of its CPU in Kysely). Where it runs is the
 * caller's handle, `db.read` or `db.write` or a transaction, never the text.
 */
export interface Statement {
  readonly sqlite: string;
  readonly postgres: string;
  /**
   * PostgreSQL prepared-statement name: parsed and planned once per
   * connection. Null for statements whose best plan depends on the values
   * (a search pattern, a LIMIT/OFFSET): those are planned afresh each time.
   */
  readonly name: string | null;
}

let named = 0;
const byText = new Map<string, Statement>();

/**
 * The statement for `text`; the same text always gives the same (cached)
 * statement, so callers build texts only from fixed parts (never from input).
 */
export function statement(text: string, opts: { planEachTime?: boolean } = {}): Statement {
  const cacheKey = `${opts.planEachTime ? 'custom:' : ''}${text}`;
  let s = byText.get(cacheKey);
  if (!s) {
    let n = 0;
    s = Object.freeze({ sqlite: text, postgres: text.replace(/\?/g, () => `$${++n}`), name: opts.planEachTime ? null : `gadm_${++named}` });
    byText.set(cacheKey, s);
  }
  return s;
}

/** Run a statement on a handle (`db.read`, `db.write`) or inside a transaction. */
export interface Statements {
  all<R>(q: Q, s: Statement, params: readonly unknown[]): Promise<R[]>;
  one<R>(q: Q, s: Statement, params: readonly unknown[]): Promise<R | undefined>;
  /** Rows changed. */
  run(q: Q, s: Statement, params: readonly unknown[]): Promise<number>;
}

/** Any handle or transaction, through Kysely (no building: the text is already SQL). */
async function viaKysely<R>(q: Q, dialect: Dialect, s: Statement, params: readonly unknown[]) {
  const r = await q.executeQuery<R>(CompiledQuery.raw(dialect === 'postgres' ? s.postgres : s.sqlite, [...params]));
  return { rows: r.rows, changes: Number(r.numAffectedRows ?? 0) };
}

/**
 * SQLite: on `read`, the main thread's read connection, synchronously, its
 * statements prepared once (`prepare`); on `write`, straight to the writer
 * (autocommit, committed with the others of its turn); in a transaction,
 * through Kysely's connection.
 */
export function sqliteStatements(handles: { read: Q; write: Q }, prepare: (text: string) => SQLite.Statement, writer: WriterPort): Statements {
  const { read, write } = handles;
  const elsewhere = async <R>(q: Q, s: Statement, params: readonly unknown[]) =>
    q === write
      ? ((await writer.ask({ conn: 0, sql: s.sqlite, params: [...params] })) as { rows: R[]; changes: number })
      : viaKysely<R>(q, 'sqlite', s, params);
  return {
    async all<R>(q: Q, s: Statement, params: readonly unknown[]) {
      return q === read ? (prepare(s.sqlite).all(...params) as R[]) : (await elsewhere<R>(q, s, params)).rows;
    },
    async one<R>(q: Q, s: Statement, params: readonly unknown[]) {
      return q === read ? (prepare(s.sqlite).get(...params) as R | undefined) : (await elsewhere<R>(q, s, params)).rows[0];
    },
    async run(q: Q, s: Statement, params: readonly unknown[]) {
      return q === read ? prepare(s.sqlite).run(...params).changes : (await elsewhere(q, s, params)).changes;
    },
  };
}

/** PostgreSQL: named prepared statements on the pool (`db.read` and `db.write` are one); inside a transaction, through Kysely. */
export function postgresStatements(pool: pg.Pool, root: Q): Statements {
  const query = <R>(s: Statement, params: readonly unknown[]) =>
    (s.name ? pool.query({ name: s.name, text: s.postgres, values: [...params] }) : pool.query(s.postgres, [...params])) as unknown as Promise<
      pg.QueryResult<R & pg.QueryResultRow>
    >;
  return {
    async all<R>(q: Q, s: Statement, params: readonly unknown[]) {
      return q === root ? (await query<R>(s, params)).rows : (await viaKysely<R>(q, 'postgres', s, params)).rows;
    },
    async one<R>(q: Q, s: Statement, params: readonly unknown[]) {
      return q === root ? (await query<R>(s, params)).rows[0] : (await viaKysely<R>(q, 'postgres', s, params)).rows[0];
    },
    async run(q: Q, s: Statement, params: readonly unknown[]) {
      return q === root ? ((await query(s, params)).rowCount ?? 0) : (await viaKysely(q, 'postgres', s, params)).changes;
    },
  };
}
