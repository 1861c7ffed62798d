import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { seedMembers } from '../helpers/seed-members.ts';
import { bearer, dialects, json, makeTestApp, signup, type TestApp } from '../helpers/app.ts';
import { USER_ORDERING_FIELDS, type Page, type User } from '../../src-shared/domain.ts';

const SEEDED = 12_000;

// SQLite runs once on the main thread and once through the database thread, as `serve` runs it.
const runs = dialects().flatMap(
  (d) =>
    (d === 'sqlite'
      ? [
          ['sqlite', false],
          ['sqlite', true],
        ]
      : [[d, false]]) as Array<[typeof d, boolean]>,
);

describe.each(runs)('admin user list at scale: trigram search, indexed orderings, bounded count (%s, database thread: %s)', (dialect, databaseThread) => {
  let t: TestApp;
  let auth: { authorization: string };
  const list = async (query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users?${query}`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    return json<Page<User>>(res);
  };
  /** The same page from a plain ORDER BY ... LIMIT ... OFFSET query: the oracle for the optimized one. */
  const reference = async (column: string, desc: boolean, where: string, limit: number, offset: number) => {
    const col = column === 'username' ? 'username_lower' : column === 'email' ? 'email_lower' : column;
    const dir = desc ? 'desc' : 'asc';
    const order = col === 'id' ? `id ${dir}` : `${col} ${dir}, id ${dir}`;
    const r = await sql.raw<{ id: number }>(`select id from users ${where} order by ${order} limit ${limit} offset ${offset}`).execute(t.db.read);
    return r.rows.map((x) => Number(x.id));
  };

  beforeAll(async () => {
    t = await makeTestApp(dialect, { databaseThread });
    const admin = await signup(t.app, 'admin');
    auth = bearer(admin.token);
    await seedMembers(t, SEEDED);
    // Names with LIKE wildcards and an FTS5 quote in them, which a search must take literally.
    for (const [name, email] of [
      ['a_b', 'x%y@example.org'],
      ['axb', 'q"uote@example.org'],
      ['ab', null],
    ] as const) {
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: auth, payload: { username: name, email, password: 'a long passphrase 123' } });
    }
  });
  afterAll(async () => t?.close());

  it('pages through every ordering, first and deep pages, exactly as a plain ORDER BY would', async () => {
    for (const field of USER_ORDERING_FIELDS) {
      for (const desc of [false, true]) {
        for (const page of [1, 300]) {
          const got = await list(`ordering=${desc ? '-' : ''}${field}&page=${page}&page_size=25`);
          expect(
            got.results.map((u) => u.id),
            `${field} ${desc} page ${page}`,
          ).toEqual(await reference(field, desc, '', 25, (page - 1) * 25));
        }
      }
    }
    const staff = await list('is_staff=true&ordering=-last_login&page=40&page_size=25');
    expect(staff.results.map((u) => u.id)).toEqual(await reference('last_login', true, `where is_staff = ${dialect === 'postgres' ? 'true' : '1'}`, 25, 975));
  });

  it('counts exactly up to 10,000 matches and says "estimate" beyond, without counting every row', async () => {
    const all = await list('page_size=1');
    if (all.count_is_estimate) expect(Math.abs(all.count - (SEEDED + 4)) / SEEDED).toBeLessThan(0.1);
    else expect(all.count).toBe(SEEDED + 4);
    const staff = await list('is_staff=true&page_size=1');
    expect(staff).toMatchObject({ count: Math.floor(SEEDED / 7) + 1 });
    expect(staff.count_is_estimate).toBeUndefined();
    const everyone = await list('search=member&page_size=1');
    expect(everyone.count_is_estimate).toBe(true);
    expect(everyone.count).toBeGreaterThan(10_000);
    if (dialect === 'sqlite') expect(Math.abs(everyone.count - SEEDED) / SEEDED).toBeLessThan(0.1);
  });

  it('finds substrings through the trigram index (few and many matches) and by scanning (one or two characters)', async () => {
    const expected = (needle: string) =>
      Array.from({ length: SEEDED }, (_, i) => i + 1)
        .filter((x) => `member${x}`.includes(needle) || `m${x}@example.org`.includes(needle))
        .map((x) => `member${x}`)
        .sort();
    for (const needle of ['member1234', 'member11', 'er99', '77@', '9']) {
      const want = expected(needle);
      const got = await list(`search=${encodeURIComponent(needle.toUpperCase())}&page_size=50`);
      // SQLite counts a 1-2 character search (a scan) exactly up to 1,000 matches, then estimates.
      if (got.count_is_estimate) expect(Math.abs(got.count - want.length) / want.length, needle).toBeLessThan(0.35);
      else expect(got.count, needle).toBe(want.length);
      expect(
        got.results.map((u) => u.username),
        needle,
      ).toEqual(want.slice(0, 50));
    }
    const many = await list('search=member&ordering=-date_joined&page=3&page_size=25');
    expect(many.results.map((u) => u.id)).toEqual(
      await reference('date_joined', true, "where username_lower like '%member%' or email_lower like '%member%'", 25, 50),
    );
    const deep = await list('search=member1&ordering=-email&page=20&page_size=25');
    expect(deep.results.map((u) => u.id)).toEqual(await reference('email', true, "where username_lower like 'member1%'", 25, 475));
  });

  it('takes LIKE wildcards and quotes in a search literally', async () => {
    expect((await list('search=a_b')).results.map((u) => u.username)).toEqual(['a_b']);
    expect((await list(`search=${encodeURIComponent('x%y')}`)).results.map((u) => u.username)).toEqual(['a_b']);
    expect((await list(`search=${encodeURIComponent('q"u')}`)).results.map((u) => u.username)).toEqual(['axb']);
    expect((await list('search=zzzz')).count).toBe(0);
  });

  it('keeps the search index in step with renames and deletions', async () => {
    const before = await list('search=member4321');
    const id = before.results[0]!.id;
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v2/admin/users/${id}`,
          headers: auth,
          payload: { username: 'renamed-ghost', email: 'ghost@example.org' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await list('search=member4321')).count).toBe(0);
    expect((await list('search=ed-gho')).results.map((u) => u.id)).toEqual([id]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${id}`, headers: auth })).statusCode).toBe(204);
    expect((await list('search=ed-gho')).count).toBe(0);
  });

  it('answers a page past the end with no rows', async () => {
    const far = await list('search=member1234&page=5&page_size=25');
    expect(far.results).toEqual([]);
    expect(far.count).toBe(1);
  });
});
