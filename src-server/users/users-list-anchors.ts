import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** Tuning of page anchors; tests make them small. */
export const userListAnchorTuning = {
  /** Unfiltered pages from this offset on seek from an anchor; nearer ones walk the ordering index from the start. */
  threshold: 20_000,
  /** Rows between anchors, at least. */
  every: 10_000,
  /** Anchors per ordering at most: a larger table spaces them wider. */
  maxAnchors: 400,
  /** After a build, the next one of the same ordering waits this many times as long as that build took. */
  pause: 10,
};

/** What anchors did (tests read it to see them used, and refused when stale). */
export const userListAnchorStats = { builds: 0, used: 0, stale: 0 };

const inFlight = new Set<Promise<void>>();
/** Resolves once no anchor build is running (tests). */
export async function userListAnchorsSettled(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}

/**
 * One stretch of an ordering in which rows are ordered by (key, id) and
 * sought the same way: the whole ordering for NOT NULL columns; for
 * nullable ones the rows with a key, and the rows without (by id). SQLite
 * puts NULLs first in ascending order, PostgreSQL last: the stretches come
 * in that order.
 */
type Kind = 'all' | 'keyed' | 'null';
interface Anchor {
  /** Ascending position (0-based) of the row in the whole ordering. */
  pos: number;
  key: unknown;
  id: number;
}
interface Stretch {
  kind: Kind;
  start: number;
  size: number;
  anchors: Anchor[];
}
interface Anchors {
  /** The revisions (user_list_revision) they were built at: row_set, then the column's own. */
  revs: number[];
  /** The exact row count at those revisions; null while the build is still going. */
  total: number | null;
  /**
   * In ascending order. While the build goes on, the last one ends at its
   * last anchor so far: positions up to there are known (and usable) already.
   */
  stretches: Stretch[];
}

/** SQLite's index per ordering column (migrations 0001, 0006), named so the planner cannot take the rowid instead. */
const SQLITE_INDEX: Record<string, string> = {
  id: 'users_id_idx',
  email_lower: 'users_email_lower_idx',
  date_joined: 'users_date_joined_idx',
  last_login: 'users_last_login_idx',
  is_active: 'users_is_active_idx',
  is_staff: 'users_is_staff_idx',
  is_superuser: 'users_is_superuser_idx',
};
const NULLABLE = new Set(['email_lower', 'last_login']);
/** Unique keys (migration 0001: username_lower, and email_lower where not NULL): no row after an anchor shares its key. */
const UNIQUE = new Set(['username_lower', 'email_lower']);

/**
 * Page anchors for deep pages of the unfiltered list. Walking an ordering
 * index to offset 500,000 costs tens of milliseconds; seeking to a remembered
 * row near the page and walking at most a few thousand entries from there
 * costs well under one. Anchors are the (key, id) of every Kth row of an
 * ordering in ascending order, with its position; a descending page is the
 * same rows counted from the end (descending order is exactly ascending
 * reversed, NULLs included, in both dialects), using the exact row count
 * taken with the anchors.
 *
 * Never a wrong page: anchors hold only while user_list_revision (migration
 * 0007: triggers, so changes from any process count) shows the revisions
 * they were built at. Every statement that reads with anchors checks them
 * itself, in the same statement (one snapshot) as it reads: when they moved,
 * it returns nothing, the anchors are dropped, and the page is read by
 * walking the index as without anchors.
 *
 * Built on demand, off the request path: a request of the unfiltered list,
 * when it is long enough for deep pages, starts a build for its ordering if
 * there are no anchors for it (none yet, or a deep page found them stale),
 * and walks as before meanwhile. The build seeks from anchor to anchor, one
 * short statement each (on SQLite's database thread, between whatever else
 * it runs), publishing as it goes: ascending pages up to its last anchor so
 * far use them already; descending ones wait for the row count at the end.
 * It gives up when the revisions move under it; builds run one at a time,
 * and the next of an ordering waits `pause` times as long as the last took.
 * Memory: at most `maxAnchors` per ordering column (of which there are 8).
 */
export function createListAnchors(db: Pick<Db, 'dialect' | 'statements' | 'kysely'>) {
  const { dialect, statements: st } = db;
  const pg = dialect === 'postgres';
  const built = new Map<string, Anchors>();
  const lastBuild = new Map<string, { endedAt: number; ms: number }>();
  let building: string | null = null;

  const kinds = (col: string): Kind[] => (!NULLABLE.has(col) ? ['all'] : pg ? ['keyed', 'null'] : ['null', 'keyed']);
  const revColumns = (col: string) => (col === 'id' ? ['row_set'] : ['row_set', col]);

  /** Rows (k, id) of one stretch in ascending order, after `after` (or from its start); LIMIT/OFFSET to append. */
  function stream(col: string, kind: Kind, after: Anchor | null): { sql: string; params: unknown[] } {
    const ix = !pg && SQLITE_INDEX[col] ? ` indexed by ${SQLITE_INDEX[col]}` : '';
    if (col === 'id') return { sql: `select id as k, id from users${ix}${after ? ' where id > ?' : ''} order by id`, params: after ? [after.id] : [] };
    const order = ` order by ${col}, id`;
    if (kind === 'null') return { sql: `select ${col} as k, id from users${ix} where ${col} is null${after ? ' and id > ?' : ''}${order}`, params: after ? [after.id] : [] };
    if (!after) return { sql: `select ${col} as k, id from users${kind === 'keyed' ? ` where ${col} is not null` : ''}${order}`, params: [] };
    // A key is never NULL here, so comparisons leave out the NULL stretch by themselves.
    if (pg) return { sql: `select ${col} as k, id from users where (${col}, id) > (?, ?)${order}`, params: [after.key, after.id] };
    if (UNIQUE.has(col)) return { sql: `select ${col} as k, id from users where ${col} > ?${order}`, params: [after.key] };
    // SQLite seeks a row value on its first column only, then tests every row with that key (half the table
    // for a flag): instead, the rest of the anchor's key by id, merged with the keys after it.
    return {
      sql: `select ${col} as k, id from users${ix} where ${col} = ? and id > ? union all select ${col} as k, id from users where ${col} > ? order by 1, 2`,
      params: [after.key, after.id, after.key],
    };
  }

  /** The page's rows at ascending positions [from, to), in ascending order; null when the anchors went stale. */
  async function read(q: Q, col: string, a: Anchors, from: number, to: number): Promise<UserRow[] | null> {
    const rows: UserRow[] = [];
    const guard = revColumns(col).map((c) => `${c} = ?`).join(' and ');
    const outer = col === 'id' ? 'u.id' : `u.${col}, u.id`;
    for (const s of a.stretches) {
      const lo = Math.max(from, s.start);
      const hi = Math.min(to, s.start + s.size);
      if (lo >= hi) continue;
      const anchor = before(s.anchors, lo);
      const { sql, params } = stream(col, s.kind, anchor);
      // The revisions first: when they moved, nothing after them is read (LATERAL makes PostgreSQL wait for them too).
      const text = `select u.* from (select 1 as ok from user_list_revision where id = 1 and ${guard}) g cross join ${pg ? 'lateral ' : ''}(select id from (${sql} limit ? offset ?) as s) as p ${pg ? '' : 'cross '}join users u on u.id = p.id order by ${outer}`;
      const got = await st.all<UserRow>(q, statement(text, { planEachTime: pg, offThread: true }), [...a.revs, ...params, hi - lo, lo - (anchor ? anchor.pos + 1 : s.start)]);
      // At the anchors' revisions the rows are exactly these many; fewer means the revisions moved.
      if (got.length !== hi - lo) return null;
      rows.push(...got);
    }
    return rows;
  }

  async function build(col: string, hint: number): Promise<void> {
    const every = Math.max(userListAnchorTuning.every, Math.ceil(hint / userListAnchorTuning.maxAnchors));
    const revs = revColumns(col);
    const head = `select ${revs.map((c, i) => `g.${c} as r${i}`).join(', ')}`;
    let a: Anchors | null = null;
    /** Every statement of the build reads the revisions too: all equal, and every one read the same rows. */
    const same = (r: Record<string, unknown> | undefined) => {
      if (!r) return false;
      const now = revs.map((_, i) => Number(r[`r${i}`]));
      if (!a) {
        // Published at once: pages up to the last anchor found so far can use them while the build goes on.
        a = { revs: now, total: null, stretches: [] };
        built.set(col, a);
      }
      return now.every((v, i) => v === a!.revs[i]);
    };
    try {
      let pos = 0;
      for (const kind of kinds(col)) {
        let s: Stretch | null = null;
        let last: Anchor | null = null;
        for (;;) {
          // Let requests in between: without a database thread these statements run on the main thread.
          await new Promise((resolve) => setImmediate(resolve));
          const { sql, params } = stream(col, kind, last);
          const r = await st.one<{ k: unknown; id: number | null }>(db.kysely, statement(`${head}, p.k, p.id from user_list_revision g left join (${sql} limit 1 offset ${every - 1}) as p on 1 = 1 where g.id = 1`, { offThread: true }), params);
          if (!same(r)) return;
          if (!s) a!.stretches.push((s = { kind, start: pos, size: 0, anchors: [] }));
          if (r!.id === null) break;
          last = { pos: (last ? last.pos : s.start - 1) + every, key: r!.k, id: Number(r!.id) };
          s.anchors.push(last);
          s.size = last.pos + 1 - s.start;
        }
        const { sql, params } = stream(col, kind, last);
        const r = await st.one<{ n: number | string }>(db.kysely, statement(`${head}, (select count(*) from (${sql} limit ${every}) as t) as n from user_list_revision g where g.id = 1`, { offThread: true }), params);
        if (!same(r)) return;
        s!.size = s!.anchors.length * every + Number(r!.n);
        pos += s!.size;
      }
      a!.total = pos;
      userListAnchorStats.builds++;
    } finally {
      // Given up (revisions moved, or an error): what was published goes.
      if (a && (a as Anchors).total === null && built.get(col) === a) built.delete(col);
    }
  }

  return {
    /**
     * The page at `offset` of the unfiltered list in `col` order, from
     * anchors, with the exact row count at the same revisions (null while
     * still building); null when there are no valid anchors for it (the
     * caller walks, and calls `want`).
     */
    async page(q: Q, col: string, descending: boolean, limit: number, offset: number): Promise<{ rows: UserRow[]; total: number | null } | null> {
      const a = built.get(col);
      if (!a || q !== db.kysely) return null;
      const total = a.total;
      let rows: UserRow[] | null;
      if (total === null) {
        // Still building: ascending pages within the positions known so far.
        const known = a.stretches.reduce((n, s) => n + s.size, 0);
        if (descending || offset + limit > known) return null;
        rows = await read(q, col, a, offset, offset + limit);
      } else {
        if (offset >= total) return null;
        const end = Math.min(total, offset + limit);
        rows = await read(q, col, a, descending ? total - end : offset, descending ? total - offset : end);
      }
      if (!rows) {
        if (built.get(col) === a) built.delete(col);
        userListAnchorStats.stale++;
        return null;
      }
      userListAnchorStats.used++;
      return { rows: descending ? rows.reverse() : rows, total };
    },
    /** The list in `col` order is long enough for deep pages: build its anchors in the background, unless there are some. */
    want(col: string, hint: number): void {
      if (building !== null || built.has(col)) return;
      const last = lastBuild.get(col);
      if (last && Date.now() < last.endedAt + last.ms * userListAnchorTuning.pause) return;
      building = col;
      const t0 = performance.now();
      const p = build(col, hint)
        .catch(() => {
          // A failed build (the database closing, a lost connection) leaves no anchors: pages walk as before.
        })
        .finally(() => {
          building = null;
          lastBuild.set(col, { endedAt: Date.now(), ms: performance.now() - t0 });
          inFlight.delete(p);
        });
      inFlight.add(p);
    },
  };
}

/** The last anchor before position `pos` (binary search), or null. */
function before(anchors: Anchor[], pos: number): Anchor | null {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.pos < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? anchors[lo - 1]! : null;
}
