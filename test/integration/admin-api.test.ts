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
      await adminCreateUser(t.app, admin, {
        username: `user${n}`,
        email: `user${n}@${i % 2 ? 'odd' : 'even'}.example`,
        is_staff: i % 3 === 0,
        is_active: i % 5 !== 0,
      });
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
    const all = [
      ...p1.results,
      ...(await list('page_size=10&page=2&ordering=username')).results,
      ...(await list('page_size=10&page=3&ordering=username')).results,
      ...p4.results,
    ];
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
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/users',
      headers: bearer(admin),
      payload: { username: 'Carol', password: STRONG_PASSWORD },
    });
    expect(created.statusCode).toBe(201);
    const body = json<{ user: UserOut; key: { id: string; secret: string } }>(created);
    expect(body.user).toMatchObject({ username: 'Carol', is_staff: false, is_superuser: false, is_active: true });
    expect(body.key.secret.length).toBeGreaterThanOrEqual(43);
    expect(created.body).not.toMatch(/password_hash|\$argon2|test\$/);

    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/users',
      headers: bearer(admin),
      payload: { username: 'carol', password: STRONG_PASSWORD },
    });
    expect(dup.statusCode).toBe(409);
    expect(json(dup).error).toBe('USERNAME_TAKEN');

    const id = body.user.id;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v2/admin/users/${id}`,
      headers: bearer(admin),
      payload: { email: 'carol@example.com', is_staff: true },
    });
    expect(json<UserOut>(patched)).toMatchObject({ email: 'carol@example.com', is_staff: true, is_superuser: false });
    const got = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(json<UserOut>(got).is_staff).toBe(true);

    const weak = await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${id}/password`, headers: bearer(admin), payload: { password: 'carol' } });
    expect(weak.statusCode).toBe(400);
    expect(json<{ error: string; fields: Array<{ rule: string }> }>(weak).fields[0]!.rule).toBe('min_length');
    const pw = await t.app.inject({
      method: 'POST',
      url: `/api/v2/admin/users/${id}/password`,
      headers: bearer(admin),
      payload: { password: 'a much better passphrase' },
    });
    expect(pw.statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/token/generate',
      payload: { username: 'carol', password: 'a much better passphrase' },
    });
    expect(login.statusCode).toBe(200);

    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(del.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${id}`, headers: bearer(admin) });
    expect(gone.statusCode).toBe(404);
    expect(json(gone).error).toBe('USER_NOT_FOUND');
    const exchange = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/pkey/jwt/',
      headers: { authorization: `PersonalKey ${body.key.id}:${body.key.secret}` },
    });
    expect(exchange.statusCode).toBe(401);
  });

  it('reads and changes runtime settings, validates them and audits each change', async () => {
    const before = await t.app.inject({ method: 'GET', url: '/api/v2/admin/settings', headers: bearer(admin) });
    const rows = json<{ results: Array<{ key: string; type: string; value: unknown; default: unknown; description: string }> }>(before).results;
    expect(rows.map((r) => r.key).sort()).toEqual([
      'IS_ORG_CREATION_OPEN',
      'IS_SIGNUPS_OPEN_AFTER_FIRST',
      'IS_SIGNUP_STAFF_BY_DEFAULT',
      'IS_SSO_SIGNUP',
      'PUBLIC_URL',
    ]);
    const flags = rows.filter((r) => r.type === 'boolean');
    expect(flags.every((r) => r.value === r.default && r.description.length > 10)).toBe(true);
    // Off by default but organization creation, which any signed-in user has until a superuser closes it.
    expect(flags.filter((r) => r.default !== false).map((r) => r.key)).toEqual(['IS_ORG_CREATION_OPEN']);
    expect(rows.find((r) => r.key === 'PUBLIC_URL')).toMatchObject({ type: 'text', value: '', default: '' });

    // The public URL: an http(s) address, kept without its final slash; anything else is refused at the field, with the rule.
    for (const wrong of ['graphistry.example.com', 'ftp://g.example.com', 'https://user:pw@g.example.com', 'https://g.example.com/?x=1', 7]) {
      const r = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { PUBLIC_URL: wrong } });
      expect(r.statusCode, String(wrong)).toBe(400);
      expect(json<{ fields: Array<{ field: string; message: string }> }>(r).fields[0]).toMatchObject({
        field: 'PUBLIC_URL',
        message: expect.stringMatching(/http:\/\/ or https:\/\//),
      });
    }
    const url = await t.app.inject({
      method: 'PUT',
      url: '/api/v2/admin/settings',
      headers: bearer(admin),
      payload: { PUBLIC_URL: ' https://graphistry.example.com/accounts/ ' },
    });
    expect(url.statusCode, url.body).toBe(200);
    expect((await t.services.settings.values()).PUBLIC_URL).toBe('https://graphistry.example.com/accounts');
    await t.services.settings.update({ userId: null, username: 'test', ip: null }, { PUBLIC_URL: '' });

    const bad = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: 'yes' } });
    expect(json(bad).error).toBe('VALIDATION');
    const unknown = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { DEBUG: true } });
    expect(json(unknown).error).toBe('UNKNOWN_SETTING');
    // A bad request changes nothing, not even the valid keys sent with it.
    const mixed = await t.app.inject({
      method: 'PUT',
      url: '/api/v2/admin/settings',
      headers: bearer(admin),
      payload: { IS_SIGNUP_STAFF_BY_DEFAULT: true, DEBUG: true },
    });
    expect(mixed.statusCode).toBe(400);
    expect((await t.services.settings.values()).IS_SIGNUP_STAFF_BY_DEFAULT).toBe(false);

    const put = await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    expect(put.statusCode).toBe(200);
    expect(
      json<{ results: Array<{ key: string; value: unknown; updated_by: string }> }>(put).results.find((r) => r.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST'),
    ).toMatchObject({ value: true, updated_by: 'admin' });
    const newcomer = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'newcomer', password: STRONG_PASSWORD } });
    expect(newcomer.statusCode).toBe(201);

    const audit = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=settings.change', headers: bearer(admin) });
    const entries = json<{ count: number; results: Array<{ actor: string; target: string; detail: { from: unknown; to: unknown }; client_ip: string }> }>(
      audit,
    );
    expect(entries.count).toBe(3);
    expect(entries.results[0]).toMatchObject({
      actor: 'admin',
      target: 'IS_SIGNUPS_OPEN_AFTER_FIRST',
      detail: { from: false, to: true },
      client_ip: '127.0.0.1',
    });
  });

  it('keeps an audit log of sign-ins, sign-ups, user, role, password and key changes without secrets', async () => {
    await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'user01', password: 'not the password' } });
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?page_size=500', headers: bearer(admin) });
    const body = json<{ count: number; results: Array<{ action: string; outcome: string; at: string }> }>(res);
    const actions = new Set(body.results.map((r) => `${r.action}:${r.outcome}`));
    for (const a of [
      'user.signup:success',
      'user.create:success',
      'auth.login:success',
      'auth.login:failure',
      'key.create:success',
      'user.roles:success',
      'user.password:success',
      'user.delete:success',
    ]) {
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
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/token/generate',
      payload: { username: 'console.curious', password: STRONG_PASSWORD, require_superuser: true },
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ error: 'SUPERUSER_REQUIRED', message: expect.stringContaining('not a superuser') });
    expect((await t.services.users.find('console.curious')).last_login).toBe(before.last_login);
    const after = json<{ results: Array<{ id: number; outcome: string; target: string; detail: Record<string, unknown> }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=auth.login&page_size=5', headers: bearer(admin) }),
    ).results.filter((e) => e.id > lastId);
    expect(after.map((e) => [e.outcome, e.target, e.detail.reason])).toEqual([['failure', 'console.curious', 'not_superuser']]);
    // A wrong password stays the generic refusal, flag or not; a superuser and any client without the flag are unchanged.
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/token/generate',
      payload: { username: 'console.curious', password: 'not the password', require_superuser: true },
    });
    expect(json(wrong).error).toBe('INVALID_CREDENTIALS');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v2/auth/token/generate',
          payload: { username: 'admin', password: STRONG_PASSWORD, require_superuser: true },
        })
      ).statusCode,
    ).toBe(200);
    expect(plain.token).toBeTruthy();
  });

  it('deleting a user records what was deleted (roles, dates, how many keys), never a secret', async () => {
    const doomed = await adminCreateUser(t.app, admin, { username: 'doomed', email: 'doomed@example.com', is_staff: true });
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${doomed.user.id}`, headers: bearer(admin) });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const entry = json<{ results: Array<{ target: string; detail: Record<string, unknown> }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/audit?action=user.delete&page_size=1', headers: bearer(admin) }),
    ).results[0]!;
    expect(entry).toMatchObject({
      target: 'doomed',
      detail: { email: 'doomed@example.com', is_staff: true, is_superuser: false, is_active: true, keys_deleted: 1, date_joined: expect.any(String) },
    });
    expect(JSON.stringify(entry)).not.toContain(doomed.key.secret);
  });

  it('LAST_SUPERUSER names the field that would leave no active superuser (the console re-derived it), a deletion none', async () => {
    const me = json<UserOut>(await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(admin) }));
    const patch = async (payload: Record<string, unknown>) =>
      json(await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${me.id}`, headers: bearer(admin), payload }));
    const sentence = 'This is the last active superuser: make another superuser first.';
    const named = (...fields: string[]) => ({
      error: 'LAST_SUPERUSER',
      message: sentence,
      fields: fields.map((field) => ({ field, message: 'is the last active superuser' })),
    });
    expect(await patch({ is_superuser: false })).toEqual(named('is_superuser'));
    expect(await patch({ is_active: false, is_staff: false })).toEqual(named('is_active'));
    expect(await patch({ is_superuser: false, is_active: false })).toEqual(named('is_superuser', 'is_active'));
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${me.id}`, headers: bearer(admin) });
    expect(json(del)).toEqual({ error: 'LAST_SUPERUSER', message: 'This is the last active superuser and cannot be deleted.' });
    expect(json<UserOut>(await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(admin) }))).toMatchObject({
      is_superuser: true,
      is_active: true,
      is_staff: true,
    });
  });
});

describe.each(dialects())('admin API: bulk activate/deactivate and the ids of every match (%s)', (dialect) => {
  let t: TestApp;
  let admin: string;
  let adminId: number;
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    const first = await signup(t.app, 'admin');
    admin = first.token;
    adminId = first.user.id;
    // 12 members: m00..m11, every third one inactive, every second one with an email.
    for (let i = 0; i < 12; i++) {
      const name = `m${String(i).padStart(2, '0')}`;
      const made = await adminCreateUser(t.app, admin, { username: name, email: i % 2 ? null : `${name}@bulk.example`, is_active: i % 3 !== 0 });
      ids[name] = made.user.id;
      if (made.token) tokens[name] = made.token;
    }
  });
  afterAll(async () => t?.close());

  const get = (url: string, token = admin) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
  const setActive = (payload: unknown, token = admin) =>
    t.app.inject({ method: 'POST', url: '/api/v2/admin/users/set-active', headers: bearer(token), payload: payload as Record<string, unknown> });
  const listIds = async (qs: string) => {
    const res = await get(`/api/v2/admin/users?page_size=500&${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<PageOut>(res).results.map((u) => u.id);
  };
  const matching = async (qs: string) => {
    const res = await get(`/api/v2/admin/users/ids?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<{ count: number; ids: number[] }>(res);
  };
  /** The audit log's user.roles entries newer than `after`, oldest first. */
  const rolesAfter = async (after: number) =>
    json<{ results: Array<{ id: number; target: string; target_id: string; outcome: string; detail: Record<string, unknown> }> }>(
      await get('/api/v2/admin/audit?action=user.roles&page_size=500'),
    )
      .results.filter((e) => e.id > after)
      .reverse();
  const lastAuditId = async () => json<{ results: Array<{ id: number }> }>(await get('/api/v2/admin/audit?page_size=1')).results[0]!.id;

  it("lists the ids of every match in the list's own order, search and filters, with an exact count", async () => {
    for (const qs of [
      'ordering=username',
      'ordering=-username',
      'ordering=email',
      'ordering=-last_login',
      'ordering=is_active',
      'is_active=false&ordering=-id',
      'search=M0&ordering=-date_joined',
      'search=bulk.ex',
      'search=1',
      'search=_',
      'search=%25',
      'is_superuser=true',
    ]) {
      const all = await listIds(qs);
      expect(await matching(qs), qs).toEqual({ count: all.length, ids: all });
    }
    expect((await matching('search=m1&ordering=username')).ids).toEqual([ids.m10, ids.m11]);
    expect((await matching('search=_')).count).toBe(0);
  });

  it('gives the first `limit` ids and still counts every match', async () => {
    const all = await listIds('ordering=-username');
    expect(all).toHaveLength(13);
    expect(await matching('ordering=-username&limit=4')).toEqual({ count: 13, ids: all.slice(0, 4) });
    expect(await matching('is_active=true&ordering=username&limit=1')).toEqual({ count: 9, ids: [adminId] });
    for (const bad of [
      'limit=0',
      'limit=10001',
      'limit=abc',
      'limit=1.5',
      'page=1',
      'page_size=10',
      'ordering=password_hash',
      'search=a%00b',
      'limit=1&limit=2',
    ]) {
      const res = await get(`/api/v2/admin/users/ids?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(json(res).error, bad).toBe('VALIDATION');
    }
  });

  it('refuses a malformed batch, naming what is wrong, and changes nobody', async () => {
    const before = await listIds('is_active=true');
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    const cases: Array<[string, unknown, RegExp]> = [
      ['501 ids', { ids: many, is_active: false }, /at most 500/],
      ['a repeated id', { ids: [ids.m01, ids.m02, ids.m01], is_active: false }, /must not repeat an id \(\d+\)/],
      ['no ids', { ids: [], is_active: false }, /at least one/],
      ['a fraction', { ids: [1.5], is_active: false }, /ids\.0/],
      ['a numeric string', { ids: [String(ids.m01)], is_active: false }, /ids\.0/],
      ['zero', { ids: [0], is_active: false }, /ids\.0/],
      ['ids not an array', { ids: ids.m01, is_active: false }, /ids/],
      ['is_active missing', { ids: [ids.m01] }, /is_active is required/],
      ['is_active as a string', { ids: [ids.m01], is_active: 'false' }, /is_active/],
      ['an unknown key', { ids: [ids.m01], is_active: false, is_staff: true }, /is_staff is not a known field/],
    ];
    for (const [label, payload, message] of cases) {
      const res = await setActive(payload);
      expect(res.statusCode, label).toBe(400);
      expect(json(res), label).toMatchObject({ error: 'VALIDATION', message: expect.stringMatching(message) });
    }
    expect(await listIds('is_active=true')).toEqual(before);
  });

  it('is for superusers only', async () => {
    const plain = tokens.m01!;
    for (const res of [await setActive({ ids: [ids.m02], is_active: false }, plain), await get('/api/v2/admin/users/ids', plain)]) {
      expect(res.statusCode).toBe(403);
      expect(json(res).error).toBe('SUPERUSER_REQUIRED');
    }
    expect(json<UserOut>(await get(`/api/v2/admin/users/${ids.m02}`)).is_active).toBe(true);
    expect((await setActive({ ids: [ids.m02], is_active: false }, 'not-a-token')).statusCode).toBe(401);
  });

  it('judges each user on its own: changed, already so (unwritten, unaudited), unknown, or the last active superuser', async () => {
    const mark = await lastAuditId();
    const rows = async () =>
      Promise.all([adminId, ids.m01!, ids.m02!, ids.m03!, ids.m04!].map(async (id) => json<UserOut>(await get(`/api/v2/admin/users/${id}`))));
    const before = await rows();
    // m01 is active, m03 inactive already, admin is the only superuser, 2147483647 nobody.
    const res = await setActive({ ids: [ids.m01, ids.m03, adminId, 2_147_483_647], is_active: false });
    expect(res.statusCode, res.body).toBe(200);
    const out = json<{ changed: UserOut[]; unchanged: UserOut[]; failed: Array<{ id: number; code: string; message: string }> }>(res);
    expect(out.changed.map((u) => [u.username, u.is_active])).toEqual([['m01', false]]);
    expect(out.unchanged.map((u) => [u.username, u.is_active])).toEqual([['m03', false]]);
    expect(out.failed).toEqual([
      { id: adminId, code: 'LAST_SUPERUSER', message: 'This is the last active superuser: make another superuser first.' },
      { id: 2_147_483_647, code: 'USER_NOT_FOUND', message: 'No user with id 2147483647.' },
    ]);
    // Nothing else moved: the refusal undid nothing and the others were not touched.
    const after = await rows();
    expect(after).toEqual(before.map((u) => (u.id === ids.m01 ? { ...u, is_active: false } : u)));
    // One audit entry, for the one change, shaped as a single edit's.
    expect((await rolesAfter(mark)).map((e) => [e.target, e.target_id, e.outcome, e.detail])).toEqual([
      ['m01', String(ids.m01), 'success', { is_active: false, from: { is_active: true } }],
    ]);
  });

  it("ends a deactivated user's tokens on their next request; an unchanged user keeps theirs", async () => {
    const [m04, m05] = [tokens.m04!, tokens.m05!];
    expect((await get('/api/v2/me', m04)).statusCode).toBe(200);
    const res = await setActive({ ids: [ids.m04, ids.m05], is_active: false });
    expect(json<{ changed: UserOut[] }>(res).changed.map((u) => u.username)).toEqual(['m04', 'm05']);
    expect((await get('/api/v2/me', m04)).statusCode).toBe(401);
    expect((await get('/api/v2/me', m05)).statusCode).toBe(401);
    // m07 is active already: activating it writes nothing, so its token lives on.
    const m07 = tokens.m07!;
    const again = json<{ changed: UserOut[]; unchanged: UserOut[] }>(await setActive({ ids: [ids.m07, ids.m04], is_active: true }));
    expect([again.changed.map((u) => u.username), again.unchanged.map((u) => u.username)]).toEqual([['m04'], ['m07']]);
    expect((await get('/api/v2/me', m07)).statusCode).toBe(200);
    // Reactivation does not bring the ended token back.
    expect((await get('/api/v2/me', m04)).statusCode).toBe(401);
  });

  it("counts the batch's own earlier changes: of the last two superusers, the second is refused", async () => {
    const bob = await adminCreateUser(t.app, admin, { username: 'bob', is_superuser: true, is_staff: true });
    const mark = await lastAuditId();
    const out = json<{ changed: UserOut[]; failed: Array<{ id: number; code: string }> }>(await setActive({ ids: [bob.user.id, adminId], is_active: false }));
    expect(out.changed.map((u) => u.username)).toEqual(['bob']);
    expect(out.failed).toEqual([expect.objectContaining({ id: adminId, code: 'LAST_SUPERUSER' })]);
    expect((await rolesAfter(mark)).map((e) => e.target)).toEqual(['bob']);
    expect(json<{ changed: UserOut[] }>(await setActive({ ids: [bob.user.id], is_active: true })).changed.map((u) => u.is_active)).toEqual([true]);
  });
});
