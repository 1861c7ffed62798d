import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { seedMembers } from '../helpers/seed-members.ts';
import { bearer, dialects, json, makeTestApp, signup, type TestApp } from '../helpers/app.ts';
import { TEST_PG_URL } from '../helpers/postgres.ts';
import { USER_ORDERING_FIELDS, type Page, type User, type UserOrderingField } from '../../src-shared/domain.ts';
import { USER_LIST_COLUMN as COLUMN, createUsersLister } from '../../src-server/users/users-list.ts';
import { userListAnchorStats, userListAnchorTuning, userListAnchorsSettled } from '../../src-server/users/users-list-anchors.ts';

const SEEDED = 60_000;
const EVERY = 1_000;
const THRESHOLD = 1_500;

/** Another connection to the same database, as another server process or the CLI would have. */
interface Other {
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}
async function otherConnection(t: TestApp): Promise<Other> {
  if (t.db.dialect === 'sqlite') {
    const c = new SQLite(join(t.dataDir, 'graphistry-admin.sqlite3'), { timeout: 10_000 });
    return { exec: async (text) => void c.exec(text), close: async () => void c.close() };
  }
  const c = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path=${t.pgSchema}` });
  await c.connect();
  return { exec: async (text) => void (await c.query(text)), close: () => c.end() };
}

// SQLite runs once on the main thread and once through the database thread, as `serve` runs it.
const runs = dialects().flatMap((d) => (d === 'sqlite' ? [['sqlite', false], ['sqlite', true]] : [[d, false]]) as Array<[typeof d, boolean]>);

describe.each(runs)('admin user list: page anchors for deep pages (%s, database thread: %s)', (dialect, databaseThread) => {
  let t: TestApp;
  let other: Other;
  let lister: ReturnType<typeof createUsersLister>;
  let auth: { authorization: string };
  const saved = { ...userListAnchorTuning };
  const yes = dialect === 'postgres' ? 'true' : '1';

  /** The page from a plain ORDER BY ... LIMIT ... OFFSET: the oracle. */
  const reference = async (field: UserOrderingField, desc: boolean, limit: number, offset: number) => {
    const col = COLUMN[field];
    const dir = desc ? 'desc' : 'asc';
    const order = col === 'id' ? `id ${dir}` : `${col} ${dir}, id ${dir}`;
    const r = await sql.raw<{ id: number }>(`select id from users order by ${order} limit ${limit} offset ${offset}`).execute(t.db.kysely);
    return r.rows.map((x) => Number(x.id));
  };
  const total = async () => Number((await sql.raw<{ n: number | string }>('select count(*) as n from users').execute(t.db.kysely)).rows[0]!.n);
  const page = async (field: UserOrderingField, desc: boolean, limit: number, offset: number) =>
    (await lister.list(t.db.kysely, { orderBy: field, descending: desc, limit, offset })).rows.map((u) => Number(u.id));
  /** Pages compared with the oracle; returns how many were read from anchors. */
  const compare = async (field: UserOrderingField, desc: boolean, offsets: number[], limit = 25) => {
    const used = userListAnchorStats.used;
    for (const offset of offsets) expect(await page(field, desc, limit, offset), `${field} ${desc ? 'desc' : 'asc'} offset ${offset} limit ${limit}`).toEqual(await reference(field, desc, limit, offset));
    return userListAnchorStats.used - used;
  };
  /** Build (or rebuild) the anchors of an ordering: a deep page asks for them, then the build finishes. */
  const warm = async (field: UserOrderingField) => {
    await page(field, false, 25, THRESHOLD);
    await userListAnchorsSettled();
  };

  beforeAll(async () => {
    Object.assign(userListAnchorTuning, { threshold: THRESHOLD, every: EVERY, pause: 0 });
    t = await makeTestApp(dialect, { databaseThread });
    auth = bearer((await signup(t.app, 'admin')).token);
    // NULLs in both nullable orderings (every 5th without an email, every 3rd never signed in), ties broken by id
    // (three members per join time, several per sign-in time), every 13th a superuser.
    await seedMembers(t, SEEDED, { email: `case when x % 5 = 0 then null else 'm' || x || '@example.org' end`, joinedAfter: '(x / 3) * 60', superuser: '(x % 13) = 0' });
    lister = createUsersLister(t.db);
    other = await otherConnection(t);
  });
  afterAll(async () => {
    await userListAnchorsSettled();
    await other?.close();
    await t?.close();
    Object.assign(userListAnchorTuning, saved);
  });

  it('reads every deep page of every ordering, both ways, exactly as a plain OFFSET query', async () => {
    const n = await total();
    // Around anchors (every 1,000th row), pages straddling them, odd page sizes, the last rows, and past the end.
    const offsets = [THRESHOLD, 1_999, 2_000, 2_001, 9_990, 12_345, 19_999, 20_000, 33_333, 39_990, 47_501, n - 25, n - 7, n - 1, n, n + 10];
    for (const field of USER_ORDERING_FIELDS) {
      await warm(field);
      for (const desc of [false, true]) {
        const used = await compare(field, desc, offsets);
        // All but the pages at or past the end came from anchors.
        expect(used, `${field} ${desc}`).toBe(offsets.length - 2);
        expect(await compare(field, desc, [5_000, 17_777], 50)).toBe(2);
      }
    }
    // Every stretch boundary of the nullable orderings (NULLs first on SQLite, last on PostgreSQL) with pages across it.
    for (const field of ['email', 'last_login'] as const) {
      const nulls = Number((await sql.raw<{ n: number | string }>(`select count(*) as n from users where ${COLUMN[field]} is null`).execute(t.db.kysely)).rows[0]!.n);
      const edge = dialect === 'sqlite' ? nulls : n - nulls;
      for (const desc of [false, true]) {
        const at = desc ? n - edge : edge;
        expect(await compare(field, desc, [at - 30, at - 25, at - 13, at - 1, at, at + 1])).toBe(6);
      }
    }
  });

  it('answers through the API from anchors, with the same count as without', async () => {
    const list = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users?${query}`, headers: auth });
      expect(res.statusCode, res.body).toBe(200);
      return json<Page<User>>(res);
    };
    const first = await list('ordering=-date_joined&page=900&page_size=50');
    await userListAnchorsSettled();
    const used = userListAnchorStats.used;
    const again = await list('ordering=-date_joined&page=900&page_size=50');
    expect(userListAnchorStats.used).toBe(used + 1);
    expect(again).toEqual(first);
    expect(again.results.map((u) => u.id)).toEqual(await reference('date_joined', true, 50, 899 * 50));
    const n = await total();
    if (!again.count_is_estimate) expect(again.count).toBe(n);
    const last = await list(`ordering=username&page=${Math.ceil(n / 50)}&page_size=50`);
    expect(last.results.map((u) => u.id)).toEqual(await reference('username', false, 50, (Math.ceil(n / 50) - 1) * 50));
    expect(last.count).toBe(n);
  });

  it('reads ascending pages from anchors already found while the build goes on, exactly', async () => {
    // A lister of its own (no anchors yet), anchors closer together: a build of a few hundred steps.
    Object.assign(userListAnchorTuning, { every: 200 });
    try {
      const fresh = createUsersLister(t.db);
      const n = await total();
      let done = false;
      await fresh.list(t.db.kysely, { orderBy: 'date_joined', descending: false, limit: 25, offset: THRESHOLD });
      void userListAnchorsSettled().then(() => (done = true));
      // Pages are asked while the build goes on (nothing else in between: it is quick), checked afterwards (nothing changes).
      let whileBuilding = 0;
      const seen: Array<[number, number[]]> = [];
      // Offsets near the start, which the build reaches first, and all over as it ends.
      for (let i = 0; !done && seen.length < 20_000; i++) {
        const offset = THRESHOLD + ((i * 397) % (i < 100 ? 5_000 : n));
        // Requests arrive as events of their own (without a database thread, statements never wait for anything).
        await new Promise((resolve) => setImmediate(resolve));
        const at = offset % n;
        const used = userListAnchorStats.used;
        const got = await fresh.list(t.db.kysely, { orderBy: 'date_joined', descending: false, limit: 25, offset: at });
        if (userListAnchorStats.used > used && !done) whileBuilding++;
        seen.push([at, got.rows.map((u) => Number(u.id))]);
      }
      expect(done).toBe(true);
      for (const [at, ids] of seen) expect(ids, `offset ${at}`).toEqual(await reference('date_joined', false, 25, at));
      expect(whileBuilding).toBeGreaterThan(0);
    } finally {
      Object.assign(userListAnchorTuning, { every: EVERY });
      await userListAnchorsSettled();
    }
  });

  it('never uses anchors another connection made stale, and only those its write made stale', async () => {
    const offsets = [1_999, 2_000, 25_000, 44_444];
    const check = async (fields: readonly UserOrderingField[] = USER_ORDERING_FIELDS) => {
      for (const field of fields) for (const desc of [false, true]) await compare(field, desc, offsets);
    };
    const warmAll = async () => {
      for (const field of USER_ORDERING_FIELDS) await warm(field);
      const used = userListAnchorStats.used;
      for (const field of USER_ORDERING_FIELDS) await page(field, false, 25, 30_000);
      expect(userListAnchorStats.used - used, 'every ordering has valid anchors').toBe(USER_ORDERING_FIELDS.length);
    };
    /** After a write by the other connection: the very next request of every ordering is right, and so is the rebuild. */
    const afterWrite = async (write: string, staleFields: readonly UserOrderingField[]) => {
      await warmAll();
      await other.exec(write);
      const stale = userListAnchorStats.stale;
      await check();
      expect(userListAnchorStats.stale - stale, `stale orderings after: ${write}`).toBe(staleFields.length);
      // The others kept their anchors (and still give exact pages, checked above); the stale ones rebuild.
      for (const field of staleFields) await warm(field);
      const used = userListAnchorStats.used;
      await check(staleFields);
      expect(userListAnchorStats.used - used).toBe(staleFields.length * 2 * offsets.length);
    };
    // A new user sorting first in every ordering: every page moves by one.
    await afterWrite(
      `insert into users (username, username_lower, email, email_lower, password_hash, is_active, is_staff, is_superuser, auth_epoch, date_joined, last_login)
       values ('aaa-new', 'aaa-new', 'aaa@example.org', 'aaa@example.org', '!', ${yes}, ${yes}, ${yes}, 0, '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z')`,
      USER_ORDERING_FIELDS,
    );
    await afterWrite('delete from users where id = (select min(id) from users where username_lower like \'member%\')', USER_ORDERING_FIELDS);
    // A rename moves that user in username order only.
    await afterWrite("update users set username = 'zzz-renamed', username_lower = 'zzz-renamed' where username_lower = 'member30000'", ['username']);
    // A sign-in: last_login only; username anchors stay valid.
    await afterWrite("update users set last_login = '2023-01-01T00:00:00.000Z' where username_lower = 'member9999'", ['last_login']);
    // A new email, a role change.
    await afterWrite("update users set email = 'a@example.org', email_lower = 'a@example.org' where username_lower = 'member40000'", ['email']);
    await afterWrite(`update users set is_staff = ${dialect === 'postgres' ? 'not is_staff' : '1 - is_staff'} where username_lower = 'member20001'`, ['is_staff']);
    // An update that changes no ordering column (a password) leaves every anchor valid.
    await afterWrite("update users set password_hash = 'x' where username_lower = 'member123'", []);
  });
});
