import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../../src-shared/domain.ts';
import type { ListedUser } from '../../src-shared/user-schemas.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;

/** Dormancy filters on the admin list and its ids: never signed in, no sign-in for N days, joined before a day. */
describe.each(dialects())('Users list dormancy filters (%s)', (dialect) => {
  let t: TestApp;
  let admin: SignedUp;
  const ids: Record<string, number> = {};
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY).toISOString();

  // name: [joined, last sign-in or null]
  const people: Record<string, [string, string | null]> = {
    fresh: [ago(5), ago(1)],
    idle100: [ago(400), ago(100)],
    idle40: [ago(200), ago(40)],
    never: [ago(3), null],
    neverold: [ago(500), null],
    old: ['2024-06-01T12:00:00.000Z', ago(2)],
  };

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(admin.token) });
  const names = async (qs: string) => {
    const res = await get(`/api/v2/admin/users?page_size=500&ordering=username&${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page<ListedUser>>(res)
      .results.map((u) => u.username)
      .filter((n) => n !== 'admin');
  };

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await signup(t.app, 'admin');
    for (const [name, [joined, last]] of Object.entries(people)) {
      ids[name] = (await adminCreateUser(t.app, admin.token, { username: name })).user.id;
      await t.db.write.updateTable('users').set({ date_joined: joined, last_login: last }).where('id', '=', ids[name]!).execute();
    }
  });
  afterAll(async () => t?.close());

  it('never_signed_in picks those with no sign-in, and false the others', async () => {
    expect(await names('never_signed_in=true')).toEqual(['never', 'neverold']);
    expect(await names('never_signed_in=false')).toEqual(['fresh', 'idle100', 'idle40', 'old']);
  });

  it('inactive_days=N: last sign-in older than N days, never-signed-in included', async () => {
    expect(await names('inactive_days=90')).toEqual(['idle100', 'never', 'neverold']);
    expect(await names('inactive_days=30')).toEqual(['idle100', 'idle40', 'never', 'neverold']);
    expect(await names('inactive_days=30&never_signed_in=false')).toEqual(['idle100', 'idle40']);
  });

  it('joined_before a day (UTC), alone and with the others', async () => {
    expect(await names('joined_before=2025-01-01')).toEqual(['old']);
    expect(await names(`joined_before=${ago(100).slice(0, 10)}`)).toEqual(['idle100', 'idle40', 'neverold', 'old']);
    expect(await names(`joined_before=${ago(100).slice(0, 10)}&inactive_days=90`)).toEqual(['idle100', 'neverold']);
    expect(await names('joined_before=2024-06-01')).toEqual([]);
    expect(await names('joined_before=2024-06-02')).toEqual(['old']);
  });

  it('keeps search, flags and the last-sign-in ordering working with them', async () => {
    expect(await names('inactive_days=30&search=idle')).toEqual(['idle100', 'idle40']);
    const res = await get('/api/v2/admin/users?inactive_days=30&never_signed_in=false&ordering=-last_login');
    expect(json<Page<ListedUser>>(res).results.map((u) => u.username)).toEqual(['idle40', 'idle100']);
    const page = json<Page<ListedUser>>(await get('/api/v2/admin/users?inactive_days=30&page_size=1&ordering=-date_joined'));
    expect(page.count).toBe(4);
    expect(page.results.map((u) => u.username)).toEqual(['never']);
  });

  it('the ids of every match follow the same filters, so select-all and bulk deactivate cover them', async () => {
    const res = await get('/api/v2/admin/users/ids?inactive_days=90&ordering=username');
    expect(res.statusCode, res.body).toBe(200);
    const m = json<{ count: number; ids: number[] }>(res);
    expect(m).toEqual({ count: 3, ids: [ids.idle100, ids.never, ids.neverold] });
    const off = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/users/set-active',
      headers: bearer(admin.token),
      payload: { ids: m.ids, is_active: false },
    });
    expect(json<{ changed: unknown[] }>(off).changed).toHaveLength(3);
    expect(await names('inactive_days=90&is_active=false')).toEqual(['idle100', 'never', 'neverold']);
    expect(await names('is_active=true')).toEqual(['fresh', 'idle40', 'old']);
    const back = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/users/set-active',
      headers: bearer(admin.token),
      payload: { ids: m.ids, is_active: true },
    });
    expect(json<{ changed: unknown[] }>(back).changed).toHaveLength(3);
  });

  it('refuses a day that does not exist and a number of days that is not one, by name', async () => {
    for (const qs of ['joined_before=2026-02-30', 'inactive_days=0', 'inactive_days=abc', 'never_signed_in=maybe']) {
      const res = await get(`/api/v2/admin/users?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(json(res).error).toBe('VALIDATION');
      expect(String(json(res).message)).toContain(qs.split('=')[0]);
    }
  });
});
