import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, User } from '../../src-shared/domain.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

type UserOut = User;
type PageOut = Page<User>;

describe.each(dialects())('admin API (%s)', (dialect) => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = (await signup(t.app, 'admin')).token;
    // 30 users with a spread of roles, for search, filters, ordering and paging.
    for (let i = 0; i < 30; i++) {
      const n = String(i).padStart(2, '0');
      await adminCreateUser(t.app, admin, { username: `user${n}`, email: `user${n}@${i % 2 ? 'odd' : 'even'}.example`, is_staff: i % 3 === 0, is_active: i % 5 !== 0 });
    }
  });
  afterAll(async () => t?.close());

  const list = async (qs: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users?${qs}`, headers: bearer(admin) });
    expect(res.statusCode, res.body).toBe(200);
    return json<PageOut>(res);
  };

  it('pages on the server with a total count', async () => {
    const p1 = await list('page_size=10&ordering=username');
    expect(p1.count).toBe(31);
    expect(p1.results).toHaveLength(10);
    const p4 = await list('page_size=10&page=4&ordering=username');
    expect(p4.results.map((u) => u.username)).toEqual(['user29']);
    const all = [...p1.results, ...(await list('page_size=10&page=2&ordering=username')).results, ...(await list('page_size=10&page=3&ordering=username')).results, ...p4.results];
    expect(new Set(all.map((u) => u.id)).size).toBe(31);
  });

  it('searches username and email substrings, case-insensitively', async () => {
    expect((await list('search=USER1')).count).toBe(10);
    expect((await list('search=odd.example')).count).toBe(15);
    expect((await list('search=nobody-matches')).results).toEqual([]);
  });

  it('filters by role and active flag and combines filters', async () => {
    const staff = await list('is_staff=true&page_size=100');
    expect(staff.results.every((u) => u.is_staff)).toBe(true);
    expect(staff.count).toBe(11); // admin + user00, 03, ..., 27
    const inactive = await list('is_active=false&page_size=100');
    expect(inactive.count).toBe(6);
    expect((await list('is_active=false&is_staff=true')).count).toBe(2); // user00, user15
    expect((await list('is_superuser=true')).results.map((u) => u.username)).toEqual(['admin']);
  });

  it('orders by a whitelisted field, ascending or descending', async () => {
    const desc = await list('ordering=-username&page_size=3');
    expect(desc.results.map((u) => u.username)).toEqual(['user29', 'user28', 'user27']);
    const byId = await list('ordering=id&page_size=2');
    expect(byId.results[0]!.username).toBe('admin');
    const bad = await t.app.inject({ method: 'GET', url: '/api/v2/admin/users?ordering=password_hash', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error).toBe('VALIDATION');
  });

  it('creates, edits (save and continue), sets the password of, and deletes a user, never showing a hash', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(admin), payload: { username: 'Carol', password: STRONG_PASSWORD } });
    expect(created.statusCode).toBe(201);
    const body = json<{ user: UserOut; key: { id: string; secret: string } }>(created);
    expect(body.user).toMatchObject({ username: 'Carol', is_staff: false, is_superuser: false, is_active: true });
    expect(body.key.secret.length).toBeGreaterThanOrEqual(43);
    expect(created.body).not.toMatch(/password_hash|\$argon2|test\$/);

    const dup = await t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(admin), payload: { username: 'carol', password: STRONG_PASSWORD } });
    expect(dup.statusCode).toBe(409);
    expect(json(dup).error).toBe('USERNAME_TAKEN');

    const id = body.user.id;
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(admin), payload: { email: 'carol@example.com', is_staff: true } });
    expect(json<UserOut>(patched)).toMatchObject({ email: 'carol@example.com', is_staff: true, is_superuser: false });
    const got = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(json<UserOut>(got).is_staff).toBe(true);

    const weak = await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${id}/password`, headers: bearer(admin), payload: { password: 'carol' } });
    expect(weak.statusCode).toBe(400);
    expect(json<{ error: string; fields: Array<{ rule: string }> }>(weak).fields[0]!.rule).toBe('min_length');
    const pw = await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${id}/password`, headers: bearer(admin), payload: { password: 'a much better passphrase' } });
    expect(pw.statusCode).toBe(200);
    const login = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'carol', password: 'a much better passphrase' } });
    expect(login.statusCode).toBe(200);

    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(del.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(gone.statusCode).toBe(404);
    expect(json(gone).error).toBe('USER_NOT_FOUND');
    const exchange = await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: `PersonalKey ${body.key.id}:${body.key.secret}` } });
    expect(exchange.statusCode).toBe(401);
  });

  it('reads and changes runtime settings, validates them and audits each change', async () => {
    const before = await t.app.inject({ method: 'GET', url: '/api/v2/admin/settings', headers: bearer(admin) });
    const rows = json<{ results: Array<{ key: string; type: string; value: unknown; default: unknown; description: string }> }>(before).results;
    expect(rows.map((r) => r.key).sort()).toEqual(['IS_SIGNUPS_OPEN_AFTER_FIRST', 'IS_SIGNUP_STAFF_BY_DEFAULT', 'PUBLIC_URL']);
    const flags = rows.filter((r) => r.type === 'boolean');
    expect(flags.every((r) => r.value === false && r.default === false && r.description.length > 10)).toBe(true);
    expect(rows.find((r) => r.key === 'PUBLIC_URL')).toMatchObject({ type: 'text', value: '', default: '' });

    // The public URL: an http(s) address, kept without its final slash; anything else is refused at the field, with the rule.
    for (const wrong of ['graphistry.example.com', 'ftp://g.example.com', 'https://user:pw@g.example.com', 'https://g.example.com/?x=1', 7]) {
      const r = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { PUBLIC_URL: wrong } });
      expect(r.statusCode, String(wrong)).toBe(400);
      expect(json<{ fields: Array<{ field: string; message: string }> }>(r).fields[0]).toMatchObject({ field: 'PUBLIC_URL', message: expect.stringMatching(/http:\/\/ or https:\/\//) });
    }
    const url = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { PUBLIC_URL: ' https://graphistry.example.com/accounts/ ' } });
    expect(url.statusCode, url.body).toBe(200);
    expect((await t.services.settings.values()).PUBLIC_URL).toBe('https://graphistry.example.com/accounts');
    await t.services.settings.update({ userId: null, username: 'test', ip: null }, { PUBLIC_URL: '' });

    const bad = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: 'yes' } });
    expect(json(bad).error).toBe('VALIDATION');
    const unknown = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { DEBUG: true } });
    expect(json(unknown).error).toBe('UNKNOWN_SETTING');
    // A bad request changes nothing, not even the valid keys sent with it.
    const mixed = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { IS_SIGNUP_STAFF_BY_DEFAULT: true, DEBUG: true } });
    expect(mixed.statusCode).toBe(400);
    expect((await t.services.settings.values()).IS_SIGNUP_STAFF_BY_DEFAULT).toBe(false);

    const put = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    expect(put.statusCode).toBe(200);
    expect(json<{ results: Array<{ key: string; value: unknown; updated_by: string }> }>(put).results.find((r) => r.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')).toMatchObject({ value: true, updated_by: 'admin' });
    const newcomer = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'newcomer', password: STRONG_PASSWORD } });
    expect(newcomer.statusCode).toBe(201);

    const audit = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=settings.change', headers: bearer(admin) });
    const entries = json<{ count: number; results: Array<{ actor: string; target: string; detail: { from: unknown; to: unknown }; client_ip: string }> }>(audit);
    expect(entries.count).toBe(3);
    expect(entries.results[0]).toMatchObject({ actor: 'admin', target: 'IS_SIGNUPS_OPEN_AFTER_FIRST', detail: { from: false, to: true }, client_ip: '127.0.0.1' });
  });

  it('keeps an audit log of sign-ins, sign-ups, user, role, password and key changes without secrets', async () => {
    await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'user01', password: 'not the password' } });
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?page_size=500', headers: bearer(admin) });
    const body = json<{ count: number; results: Array<{ action: string; outcome: string; at: string }> }>(res);
    const actions = new Set(body.results.map((r) => `${r.action}:${r.outcome}`));
    for (const a of ['user.signup:success', 'user.create:success', 'auth.login:success', 'auth.login:failure', 'key.create:success', 'user.roles:success', 'user.password:success', 'user.delete:success']) {
      expect(actions).toContain(a);
    }
    expect(body.results.every((r) => /^\d{4}-\d\d-\d\dT.*Z$/.test(r.at))).toBe(true);
    expect(res.body).not.toContain(STRONG_PASSWORD);
    expect(res.body).not.toContain('not the password');
    const p2 = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?page=2&page_size=5', headers: bearer(admin) });
    expect(json<{ results: unknown[] }>(p2).results).toHaveLength(5);
  });

  // Regression: a non-superuser trying the console was logged as `auth.login success` and had their last login moved.
  it('a console sign-in (require_superuser) by a non-superuser is refused, audited as a failure, and is not a login', async () => {
    const plain = await adminCreateUser(t.app, admin, { username: 'console.curious', password: STRONG_PASSWORD });
    const before = await t.services.users.find('console.curious');
    const at = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=auth.login&page_size=1', headers: bearer(admin) });
    const lastId = json<{ results: Array<{ id: number }> }>(at).results[0]!.id;
    const refused = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'console.curious', password: STRONG_PASSWORD, require_superuser: true } });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ error: 'SUPERUSER_REQUIRED', message: expect.stringContaining('not a superuser') });
    expect((await t.services.users.find('console.curious')).last_login).toBe(before.last_login);
    const after = json<{ results: Array<{ id: number; outcome: string; target: string; detail: Record<string, unknown> }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=auth.login&page_size=5', headers: bearer(admin) }),
    ).results.filter((e) => e.id > lastId);
    expect(after.map((e) => [e.outcome, e.target, e.detail.reason])).toEqual([['failure', 'console.curious', 'not_superuser']]);
    // A wrong password stays the generic refusal, flag or not; a superuser and any client without the flag are unchanged.
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'console.curious', password: 'not the password', require_superuser: true } });
    expect(json(wrong).error).toBe('INVALID_CREDENTIALS');
    expect((await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'admin', password: STRONG_PASSWORD, require_superuser: true } })).statusCode).toBe(200);
    expect(plain.token).toBeTruthy();
  });

  it('deleting a user records what was deleted (roles, dates, how many keys), never a secret', async () => {
    const doomed = await adminCreateUser(t.app, admin, { username: 'doomed', email: 'doomed@example.com', is_staff: true });
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${doomed.user.id}`, headers: bearer(admin) });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const entry = json<{ results: Array<{ target: string; detail: Record<string, unknown> }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=user.delete&page_size=1', headers: bearer(admin) }),
    ).results[0]!;
    expect(entry).toMatchObject({ target: 'doomed', detail: { email: 'doomed@example.com', is_staff: true, is_superuser: false, is_active: true, keys_deleted: 1, date_joined: expect.any(String) } });
    expect(JSON.stringify(entry)).not.toContain(doomed.key.secret);
  });
});
