import type { Kysely, Transaction } from 'kysely';
import type { Database, Dialect, UserRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';
import type { UserOrderingField } from '../../src-shared/domain.ts';
import type { SignInMethod } from '../../src-shared/user-schemas.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface ListUsersFilter {
  search?: string | undefined;
  isStaff?: boolean | undefined;
  isSuperuser?: boolean | undefined;
  isActive?: boolean | undefined;
  /** Only a password, only single sign-on, or both. */
  signIn?: SignInMethod | undefined;
  /** True: never signed in; false: signed in at least once. */
  neverSignedIn?: boolean | undefined;
  /** ISO time: no sign-in since (last sign-in before it, or none at all). */
  idleSince?: string | undefined;
  /** ISO time: joined before it. */
  joinedBefore?: string | undefined;
  orderBy: UserOrderingField;
  descending: boolean;
  limit: number;
  offset: number;
}

/** The list's filters and ordering, and how many ids (the first matches in that ordering) to read. */
export type UserIdsFilter = Omit<ListUsersFilter, 'offset'>;

export interface UserListPage {
  count: number;
  /** True when `count` is an estimate (more matches than the exact-count limit). */
  estimated: boolean;
  rows: UserRow[];
}

/** Counts are exact up to here; beyond, an estimate (said as such to the client). */
export const EXACT_COUNT_LIMIT = 10_000;
/** A search matching at most this many users is collected and sorted; beyond, the ordering index is walked. */
const SPARSE_MATCHES = 2_000;
/** Searches whose matches must be tested row by row are counted exactly only this far. */
const SEARCH_COUNT_LIMIT = 1_000;
/** Trigram indexes answer substrings of three characters or more; shorter ones are scanned. */
const TRIGRAM = 3;

/** The column each ordering of the list sorts by (then by id). */
export const USER_LIST_COLUMN: Readonly<Record<UserOrderingField, string>> = {
  id: 'id',
  username: 'username_lower',
  email: 'email_lower',
  date_joined: 'date_joined',
  last_login: 'last_login',
  is_active: 'is_active',
  is_staff: 'is_staff',
  is_superuser: 'is_superuser',
};
const PG_SEARCH = `(username_lower || E'\\x01' || coalesce(email_lower, ''))`;
const COUNT_ALL = statement('select count(*) as n from users');

/** A usable password: Django's unusable ones (and those of accounts made through SSO, sso/sso-accounts.ts) start with `!`. */
const USABLE_PASSWORD = "substr(password_hash, 1, 1) <> '!'";
/**
 * At least one linked SSO identity, read from the identities (far fewer than
 * users) and then the users they name by primary key: SQLite plans `id in
 * (...)` so; PostgreSQL hash-joins it against every user (19 ms at 100,000
 * users) unless handed the ids as an array (3 ms). None: `not exists`, one
 * probe of the identities' user_id index per user.
 */
const HAS_SSO: Readonly<Record<Dialect, string>> = {
  sqlite: 'id in (select si.user_id from sso_identities si)',
  postgres: 'id = any(array(select si.user_id from sso_identities si))',
};
const NO_SSO = 'not exists (select 1 from sso_identities si where si.user_id = users.id)';
const signInSql = (dialect: Dialect): Readonly<Record<SignInMethod, string>> => ({
  password: `${USABLE_PASSWORD} and ${NO_SSO}`,
  sso: `not ${USABLE_PASSWORD} and ${HAS_SSO[dialect]}`,
  both: `${USABLE_PASSWORD} and ${HAS_SSO[dialect]}`,
});

/**
 * The admin user list: one count that never scans the table (exact up to
 * EXACT_COUNT_LIMIT matches, an estimate beyond) and one page read. Every
 * query is fixed text from the whitelisted parts below plus parameters, run
 * as a prepared statement (see db/statements.ts).
 *
 * Search is a substring of the lower-cased username or email, through the
 * trigram index (migration 0006) from three characters on. A search matching
 * few users collects them and sorts; one matching many walks the ordering
 * index and keeps the matches, which finds a page in a few thousand steps.
 *
 * A page is a plain LIMIT/OFFSET, as Gitea pages its admin list: nobody
 * pages far. It reads ids from the ordering index first (a covering, narrow
 * index), then the 25 rows, so skipping entries skips index entries, not
 * table rows (page 10,000 of a million users: tens of milliseconds).
 */
export function createUsersLister(db: Pick<Db, 'dialect' | 'statements'>) {
  const { dialect, statements: st } = db;
  const pg = dialect === 'postgres';
  const flag = (v: boolean) => (pg ? v : v ? 1 : 0);
  const SIGN_IN_SQL = signInSql(dialect);

  function where(f: Pick<ListUsersFilter, 'search' | 'isStaff' | 'isSuperuser' | 'isActive' | 'signIn' | 'neverSignedIn' | 'idleSince' | 'joinedBefore'>) {
    const flags: Array<{ column: string; value: unknown }> = [];
    if (f.isStaff !== undefined) flags.push({ column: 'is_staff', value: flag(f.isStaff) });
    if (f.isSuperuser !== undefined) flags.push({ column: 'is_superuser', value: flag(f.isSuperuser) });
    if (f.isActive !== undefined) flags.push({ column: 'is_active', value: flag(f.isActive) });
    // Fixed text, no parameters; no index drives it: a row test, like a flag the walk keeps from the index.
    const signIn = f.signIn ? SIGN_IN_SQL[f.signIn] : null;
    // Dormancy: fixed text over a column (`c`: the column as written, `+last_login` when walking another index).
    const dates: Array<{ column: string; sql: (c: string) => string; params: unknown[] }> = [];
    if (f.neverSignedIn !== undefined) dates.push({ column: 'last_login', sql: (c) => `${c} is ${f.neverSignedIn ? '' : 'not '}null`, params: [] });
    if (f.idleSince !== undefined) dates.push({ column: 'last_login', sql: (c) => `(${c} is null or ${c} < ?)`, params: [f.idleSince] });
    if (f.joinedBefore !== undefined) dates.push({ column: 'date_joined', sql: (c) => `${c} < ?`, params: [f.joinedBefore] });
    const needle = f.search?.toLowerCase();
    let search: { kind: 'trigram' | 'scan'; sql: string; params: unknown[] } | null = null;
    // SQLite's row-by-row substring test: for short needles, and for walking the ordering index when matches are many.
    const scan = needle
      ? { kind: 'scan' as const, sql: "(instr(username_lower, ?) > 0 or instr(coalesce(email_lower, ''), ?) > 0)", params: [needle, needle] }
      : null;
    if (needle && pg) {
      search = {
        kind: [...needle].length >= TRIGRAM ? 'trigram' : 'scan',
        sql: `${PG_SEARCH} like ?`,
        params: [`%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
      };
    } else if (needle && [...needle].length >= TRIGRAM) {
      // An FTS5 phrase: every character is literal inside double quotes, which double to escape.
      search = { kind: 'trigram', sql: 'id in (select rowid from users_search where users_search match ?)', params: [`"${needle.replaceAll('"', '""')}"`] };
    } else {
      search = scan;
    }
    /**
     * The conditions, and their parameters. `walk` (SQLite) writes them so that
     * none can drive the read (`+column`), leaving the ordering index to: right
     * when matches are many, since a page then comes after a few steps of it.
     */
    const conds = (walk = false, orderColumn = '', many = false) => {
      // Walking with very many matches (over the exact-count limit: 1% of the table or more), testing each
      // row is cheaper than first collecting every trigram match to test against.
      const s = walk && many && scan ? scan : search;
      return {
        sql: [
          ...(s ? [walk && s.kind === 'trigram' ? `+${s.sql}` : s.sql] : []),
          ...flags.map((x) => `${walk && x.column !== orderColumn ? '+' : ''}${x.column} = ?`),
          ...(signIn ? [`(${signIn})`] : []),
          ...dates.map((d) => d.sql(`${walk && d.column !== orderColumn ? '+' : ''}${d.column}`)),
        ],
        params: [...(s?.params ?? []), ...flags.map((x) => x.value), ...dates.flatMap((d) => d.params)],
      };
    };
    // Counting a search's matches means testing rows (SQLite's 1-2 character scans; PostgreSQL rechecks
    // every trigram candidate in the table): their exact count stops sooner.
    const cap = (!pg && search?.kind === 'scan') || (pg && search) ? SEARCH_COUNT_LIMIT : EXACT_COUNT_LIMIT;
    // PostgreSQL plans these with their values each time: a search pattern, and a LIMIT/OFFSET, decide the
    // best plan, and a generic plan guessing them (a tenth of the table for a LIMIT) can read the whole table.
    const filtered = search !== null || flags.length > 0 || signIn !== null || dates.length > 0;
    return { flags, signIn, dates, search, conds, cap, filtered, custom: pg };
  }
  type Where = ReturnType<typeof where>;

  const and = (parts: string[]) => (parts.length ? ` where ${parts.join(' and ')}` : '');
  /** The ordering as SQL: the column, then id, both one way (the same ties as every page of the list). */
  const orderKey = (col: string, dir: 'asc' | 'desc', p = '') => (col === 'id' ? `${p}id ${dir}` : `${p}${col} ${dir}, ${p}id ${dir}`);

  /** Exact up to the limit, else an estimate; never a scan of every match. */
  async function count(q: Q, w: Where): Promise<{ count: number; estimated: boolean }> {
    const { sql: conds, params } = w.conds();
    // SQLite counts a narrow index page by page (its pages carry their entry count): exact and cheap.
    if (!pg && !w.filtered) return { count: Number((await st.one<{ n: number }>(q, COUNT_ALL, []))!.n), estimated: false };
    // PostgreSQL: the planner's estimate first (statistics, no rows read); well past the limit, no
    // counting at all: a search is then estimated from a sample (the planner's guess at a LIKE
    // pattern can be off five times over), anything else takes the planner's figure.
    const guess = pg ? await estimate(q, w, 0) : 0;
    if (guess > 2 * w.cap) return { count: w.search ? await sampled(q, w) : guess, estimated: true };
    let text: string;
    if (pg) text = `select count(*) as n, null as last from (select 1 from users${and(conds)} limit ${w.cap + 1}) as capped`;
    else if (w.search?.kind === 'trigram' && w.flags.length === 0 && !w.signIn && w.dates.length === 0)
      text = `select count(*) as n, max(rowid) as last from (select rowid from users_search where users_search match ? limit ${w.cap + 1}) as capped`;
    else text = `select count(*) as n, max(id) as last from (select id from users${and(conds)} order by id limit ${w.cap + 1}) as capped`;
    const capped = await st.one<{ n: number | string; last: number | null }>(q, statement(text, { planEachTime: w.custom }), params);
    const n = Number(capped!.n);
    if (n <= w.cap) return { count: n, estimated: false };
    return { count: Math.max(n, pg ? (w.search ? await sampled(q, w) : guess) : await estimate(q, w, Number(capped!.last))), estimated: true };
  }

  /**
   * PostgreSQL: the matches among a sample of the table's pages (about 10,000
   * rows' worth, the same pages every time so paging does not see the figure
   * move), scaled up. Reads a few hundred pages, never every match.
   */
  async function sampled(q: Q, w: Where): Promise<number> {
    const { sql: conds, params } = w.conds();
    const text = `select count(*) as n, (select greatest(reltuples, 1) from pg_class where oid = 'users'::regclass) as total
      from users tablesample system (least(100, greatest(1, 1000000.0 / (select greatest(reltuples, 1) from pg_class where oid = 'users'::regclass)))) repeatable (7)${and(conds)}`;
    const r = await st.one<{ n: number | string; total: number }>(q, statement(text, { planEachTime: true }), params);
    const pct = Math.min(100, Math.max(1, 1_000_000 / Number(r!.total)));
    return Math.round((Number(r!.n) * 100) / pct);
  }

  /**
   * PostgreSQL: the planner's own row estimate (table statistics). SQLite has
   * none, so: the first `cap`+1 matches in id order reached id `last`;
   * matches spread evenly over the ids would number that many times the
   * whole id range over the part already covered.
   */
  async function estimate(q: Q, w: Where, last: number): Promise<number> {
    if (pg) {
      const { sql: conds, params } = w.conds();
      const text = conds.length
        ? `explain (format json) select 1 from users${and(conds)}`
        : `select reltuples as rows from pg_class where oid = 'users'::regclass`;
      const r = await st.one<{ 'QUERY PLAN'?: Array<{ Plan: { 'Plan Rows': number } }>; rows?: number }>(q, statement(text, { planEachTime: true }), params);
      return Math.round(Number(r?.rows ?? r?.['QUERY PLAN']?.[0]?.Plan['Plan Rows'] ?? 0));
    }
    // Two subqueries: SQLite reads min() and max() from the index ends only when each stands alone.
    const range = await st.one<{ lo: number; hi: number }>(q, statement('select (select min(id) from users) as lo, (select max(id) from users) as hi'), []);
    return Math.round(((w.cap + 1) * (range!.hi - range!.lo + 1)) / Math.max(1, last - range!.lo + 1));
  }

  async function page(q: Q, f: ListUsersFilter, w: Where, matches: number): Promise<UserRow[]> {
    const col = USER_LIST_COLUMN[f.orderBy];
    const dir = f.descending ? 'desc' : 'asc';
    const key = (p: string) => orderKey(col, dir, p);
    if (w.filtered && matches <= SPARSE_MATCHES && w.search?.kind !== 'scan') {
      // Few matches: the trigram or flag index finds them all, then they are sorted.
      const { sql: conds, params } = w.conds();
      const text = pg
        ? `with m as materialized (select * from users${and(conds)}) select * from m order by ${key('')} limit ? offset ?`
        : `select * from users${and(conds)} order by ${col === 'id' ? '' : `+${col} ${dir}, `}id ${dir} limit ? offset ?`;
      return st.all<UserRow>(q, statement(text, { planEachTime: w.custom }), [...params, f.limit, f.offset]);
    }
    // Otherwise walk the ordering index: ids first (a narrow, covering read), then the page's rows.
    // With no condition at all, ids in id order come from the narrow id index rather than the wide table.
    const { sql: conds, params } = w.conds(!pg, col, matches > w.cap);
    const narrow = !pg && col === 'id' && conds.length === 0 ? ' indexed by users_id_idx' : '';
    // SQLite: CROSS JOIN keeps the 25 ids as the outer loop; with LIMIT a bound parameter, its planner
    // cannot tell the subquery is small and would scan the whole table against it.
    const text = `select u.* from (select id from users${narrow}${and(conds)} order by ${key('')} limit ? offset ?) as p ${pg ? '' : 'cross '}join users u on u.id = p.id order by ${key('u.')}`;
    return st.all<UserRow>(q, statement(text, { planEachTime: w.custom }), [...params, f.limit, f.offset]);
  }

  return {
    /**
     * The ids of the first `limit` matches in the list's ordering, read in one
     * statement (so no write can shift them between reads, as it could
     * between pages), and how many match: exact, since a bulk action says how
     * many users it will change. Counted only when the ids filled the limit;
     * otherwise they are every match.
     */
    async ids(q: Q, f: UserIdsFilter): Promise<{ count: number; ids: number[] }> {
      const w = where(f);
      const { sql: conds, params } = w.conds();
      const read = `select id from users${and(conds)} order by ${orderKey(USER_LIST_COLUMN[f.orderBy], f.descending ? 'desc' : 'asc')} limit ?`;
      const rows = await st.all<{ id: number | string }>(q, statement(read, { planEachTime: w.custom }), [...params, f.limit]);
      const ids = rows.map((r) => Number(r.id));
      if (ids.length < f.limit) return { count: ids.length, ids };
      const counted = await st.one<{ n: number | string }>(q, statement(`select count(*) as n from users${and(conds)}`, { planEachTime: w.custom }), params);
      // A match deleted between the two statements must not leave fewer counted than listed.
      return { count: Math.max(Number(counted!.n), ids.length), ids };
    },

    async list(q: Q, f: ListUsersFilter): Promise<UserListPage> {
      const w = where(f);
      const { count: n, estimated } = await count(q, w);
      const rows = n === 0 || (f.offset >= n && !estimated) ? [] : await page(q, f, w, n);
      // A short page ends the list: then the count is known exactly, whatever was estimated.
      if (rows.length < f.limit && (rows.length > 0 || f.offset === 0)) return { count: f.offset + rows.length, estimated: false, rows };
      return { count: n, estimated, rows };
    },
  };
}
