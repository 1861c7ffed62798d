import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';
import { ConfigError, loadConfig } from '../../src-server/config.ts';
import { manualClock } from '../../src-server/lib/clock.ts';
import type { KeyRow } from '../../src-server/db/schema.ts';

interface KeyPage {
  count: number;
  page: number;
  page_size: number;
  results: Array<{ id: string; name: string; is_active: boolean }>;
}

const DAY = 86_400_000;

describe.each(dialects())('personal keys per user: a limit and paged lists (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const mine = (token: string, name: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v2/me/keys', headers: bearer(token), payload: { name, ...extra } });

  it('regression: personal keys per user were unlimited; MAX_KEYS_PER_USER usable keys now, on every path, counted under the accounts lock', async () => {
    const clock = manualClock(new Date());
    t = await makeTestApp(dialect, { clock, config: { maxKeysPerUser: 3 } });
    const admin = await signup(t.app, 'admin'); // key 1
    expect((await mine(admin.token, 'two')).statusCode).toBe(201);
    expect((await mine(admin.token, 'expires', { expires_in_days: 1 })).statusCode).toBe(201);
    const over = await mine(admin.token, 'four');
    expect([over.statusCode, json(over)]).toEqual([
      409,
      { error: 'KEY_LIMIT_REACHED', message: '“admin” already has 3 usable personal keys, the most this server allows: revoke one before creating another.' },
    ]);
    // The admin API, the dashboard and the command line meet the same limit.
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' }); // key 1
    for (const name of ['b2', 'b3'])
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${bob.user.id}/keys`, headers: bearer(admin.token), payload: { name } })).statusCode,
      ).toBe(201);
    expect(
      json(await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${bob.user.id}/keys`, headers: bearer(admin.token), payload: { name: 'b4' } })).error,
    ).toBe('KEY_LIMIT_REACHED');
    await expect(t.services.keys.issue({ userId: null, username: 'cli', ip: null }, bob.user)).rejects.toMatchObject({ code: 'KEY_LIMIT_REACHED' });
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    await browser.post('/accounts/login/', { username: 'bob', password: 'correct horse battery staple', next: '/dashboard/' });
    await browser.get('/dashboard/');
    expect((await browser.post('/dashboard/keys', { name: 'from the page', expires_in_days: '' })).statusCode).toBe(303);
    const page = await browser.get('/dashboard/');
    expect(page.body).toContain('“bob” already has 3 usable personal keys');
    expect(page.body).not.toContain('from the page');
    expect(await t.db.read.selectFrom('personal_keys').select('id').where('user_id', '=', bob.user.id).execute()).toHaveLength(3);

    // Revoked and expired keys do not count.
    const keys = json<KeyPage>(await t.app.inject({ method: 'GET', url: '/api/v2/me/keys', headers: bearer(admin.token) })).results;
    await t.app.inject({ method: 'DELETE', url: `/api/v2/me/keys/${keys.find((k) => k.name === 'two')!.id}`, headers: bearer(admin.token) });
    expect((await mine(admin.token, 'after a revoke')).statusCode).toBe(201);
    expect((await mine(admin.token, 'one too many')).statusCode).toBe(409);
    clock.advance(2 * DAY);
    const fresh = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: 'correct horse battery staple' } }),
    ).token;
    // Ten at once for the one free place: exactly one gets it.
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => mine(fresh, `race ${i}`)));
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
    expect(
      await t.db.read.selectFrom('personal_keys').select('id').where('user_id', '=', admin.user.id).where('revoked_at', 'is', null).execute(),
    ).toHaveLength(4); // 3 usable + 1 expired
  });

  it('regression: the dashboard and the key APIs listed every key at once (2.5 MB at 12,000 keys); now pages, usable keys first, with {results} kept', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    // 12,000 revoked keys (made straight in the database: the limit counts only usable ones) and the one usable key sign-up made.
    const now = Date.now();
    const rows: KeyRow[] = Array.from({ length: 12_000 }, (_, i) => ({
      id: `old${String(i).padStart(13, '0')}`,
      user_id: admin.user.id,
      name: `old key ${i}`,
      secret_hash: 'x'.repeat(64),
      secret_prefix: 'abcdef',
      created_at: new Date(now + 1000 + i).toISOString(), // all newer than the usable key
      last_used_at: null,
      expires_at: null,
      revoked_at: new Date(now + 2000 + i).toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 1000)
      await t.db.write
        .insertInto('personal_keys')
        .values(rows.slice(i, i + 1000))
        .execute();

    const list = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(admin.token) });
      expect(res.statusCode, res.body).toBe(200);
      return json<KeyPage>(res);
    };
    // No paging asked for (the console's key screen): one page that opens with every usable key.
    const first = await list('/api/v2/me/keys');
    expect([first.count, first.page, first.page_size, first.results.length]).toEqual([12_001, 1, 100, 100]);
    expect(first.results[0]).toMatchObject({ id: admin.key.id, is_active: true });
    expect(first.results.slice(1).every((k) => !k.is_active)).toBe(true);
    // Then newest first, page by page, on the self-service and the admin list alike.
    const second = await list('/api/v2/me/keys?page=2&page_size=50');
    expect([second.count, second.page, second.page_size, second.results.map((k) => k.name).slice(0, 2)]).toEqual([
      12_001,
      2,
      50,
      ['old key 11950', 'old key 11949'],
    ]);
    const last = await list(`/api/v2/admin/users/${admin.user.id}/keys?page=25&page_size=500`);
    expect([last.page_size, last.results.length, last.results.at(-1)!.name]).toEqual([500, 1, 'old key 0']);
    expect((await list(`/api/v2/admin/users/${admin.user.id}/keys?page=26&page_size=500`)).results).toEqual([]);

    // The dashboard: 25 keys a page with links either side, a page past the end shows the last one.
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    await browser.post('/accounts/login/', { username: 'admin', password: 'correct horse battery staple', next: '/dashboard/' });
    const dash = await browser.get('/dashboard/');
    expect(dash.statusCode).toBe(200);
    expect(dash.body.length).toBeLessThan(40_000);
    expect(dash.body.match(/<tr>\n<td>/g)).toHaveLength(25);
    expect(dash.body).toContain(`${admin.key.id}:`);
    expect(dash.body).toContain('Keys 1–25 of 12,001');
    expect(dash.body).toContain('href="/dashboard/?page=2#keys-h"');
    const beyond = await browser.get('/dashboard/?page=9999');
    expect(beyond.body).toContain('Keys 12,001–12,001 of 12,001');
    expect(beyond.body).toContain('old key 0<');
    expect(beyond.body).toContain('href="/dashboard/?page=480#keys-h"');
    // The revoke confirmation finds a key without listing them all.
    expect((await browser.get('/dashboard/keys/old0000000000000/revoke')).statusCode).toBe(200);
  });

  it('MAX_KEYS_PER_USER: 100 by default, from 1 to 500', () => {
    expect(loadConfig({ dataDir: '/tmp/x' }, {}, {}).maxKeysPerUser).toBe(100);
    expect(loadConfig({ dataDir: '/tmp/x' }, { MAX_KEYS_PER_USER: '7' }, {}).maxKeysPerUser).toBe(7);
    for (const bad of ['0', '501', 'many']) expect(() => loadConfig({ dataDir: '/tmp/x' }, { MAX_KEYS_PER_USER: bad }, {})).toThrow(ConfigError);
  });
});
