import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';

const NEW_PASSWORD = 'a brand new passphrase 42';

/** Sign out everywhere, require a password change, revoke every key: single and bulk, audited, on the next request. */
describe.each(dialects())('user lifecycle actions (%s)', (dialect) => {
  let t: TestApp;
  let admin: SignedUp;
  const A = '/api/v2/admin';

  const post = (url: string, payload?: Record<string, unknown>, token = admin.token) =>
    t.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const me = (authorization: string) => t.app.inject({ method: 'GET', url: '/api/v2/me', headers: { authorization } });
  const login = (username: string, password = STRONG_PASSWORD, url = '/api-token-auth/') =>
    t.app.inject({ method: 'POST', url, payload: { username, password } });
  const auditFor = async (action: string) =>
    json<{ results: Array<{ target: string; target_id: string; outcome: string; detail: Record<string, unknown> | null; actor: string }> }>(
      await t.app.inject({ method: 'GET', url: `${A}/audit?action=${action}&page_size=500`, headers: bearer(admin.token) }),
    ).results;
  /** A browser signed in on the server's pages. */
  async function browserOf(username: string, password = STRONG_PASSWORD) {
    const b = formClient(t.app);
    await b.get('/accounts/login/');
    const res = await b.post('/accounts/login/', { username, password, next: '/dashboard/' });
    return { b, res };
  }

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await signup(t.app, 'admin');
  });
  afterAll(async () => t?.close());

  it('sign-out everywhere refuses an open session, a JWT and its refresh on their next request; keys keep working', async () => {
    const u = await adminCreateUser(t.app, admin.token, { username: 'leaver' });
    const { b } = await browserOf('leaver');
    expect((await b.get('/dashboard/')).statusCode).toBe(200);
    expect((await me(`Bearer ${u.token}`)).statusCode).toBe(200);
    const res = await post(`${A}/users/${u.user.id}/sign-out`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ changed: true, keys_revoked: 0, user: { username: 'leaver' } });
    const page = await b.get('/dashboard/');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/accounts\/login\//);
    expect((await me(`Bearer ${u.token}`)).statusCode).toBe(401);
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/refresh', payload: { token: u.token } });
    expect(refreshed.statusCode).toBe(400);
    expect((await me(u.key.authorization)).statusCode).toBe(200);
    const [entry] = await auditFor('user.sign_out');
    expect(entry).toMatchObject({ target: 'leaver', target_id: String(u.user.id), outcome: 'success', actor: 'admin' });
    expect(entry!.detail).toMatchObject({ page_sign_ins_ended: 1, keys_revoked: 0 });
  });

  it('sign-out with revoke_keys ends the keys too; revoke-all revokes every usable key once', async () => {
    const u = await adminCreateUser(t.app, admin.token, { username: 'keyholder' });
    const second = json<{ authorization: string }>(await post(`${A}/users/${u.user.id}/keys`, { name: 'notebook' }));
    const res = await post(`${A}/users/${u.user.id}/sign-out`, { revoke_keys: true });
    expect(json(res)).toMatchObject({ changed: true, keys_revoked: 2 });
    expect((await me(u.key.authorization)).statusCode).toBe(401);
    expect((await me(second.authorization)).statusCode).toBe(401);

    const v = await adminCreateUser(t.app, admin.token, { username: 'revokee' });
    const jwtFromKey = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: v.key.authorization } }),
    ).token;
    const all = await post(`${A}/users/${v.user.id}/keys/revoke-all`);
    expect(json(all)).toMatchObject({ changed: true, keys_revoked: 1 });
    expect((await me(v.key.authorization)).statusCode).toBe(401);
    expect((await me(`Bearer ${jwtFromKey}`)).statusCode).toBe(401);
    // Their password token is not a key: it keeps working.
    expect((await me(`Bearer ${v.token}`)).statusCode).toBe(200);
    expect(json(await post(`${A}/users/${v.user.id}/keys/revoke-all`))).toMatchObject({ changed: false, keys_revoked: 0 });
    expect((await auditFor('user.keys_revoke_all')).filter((e) => e.target === 'revokee')).toHaveLength(1);
  });

  it('a required password change holds password sign-in (token API and page) until changed, then clears; key exchange keeps working', async () => {
    const u = await adminCreateUser(t.app, admin.token, { username: 'rotator' });
    const res = await post(`${A}/users/${u.user.id}/require-password-change`);
    expect(json(res)).toMatchObject({ changed: true, must_change_password: true });
    expect(json(await post(`${A}/users/${u.user.id}/require-password-change`))).toMatchObject({ changed: false, must_change_password: true });
    for (const url of ['/api-token-auth/', '/api/v2/auth/token/generate']) {
      const refused = await login('rotator', STRONG_PASSWORD, url);
      expect(refused.statusCode, url).toBe(403);
      const body = json<{ error: string; message: string; non_field_errors: string[] }>(refused);
      expect(body.error).toBe('PASSWORD_CHANGE_REQUIRED');
      expect(body.non_field_errors[0]).toMatch(/new password/);
      expect(refused.body).not.toContain('token');
    }
    // A wrong password still gets the one generic answer: the flag says nothing to someone without the password.
    expect(json(await login('rotator', 'not the password at all'))).toMatchObject({ error: 'INVALID_CREDENTIALS' });
    expect((await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: u.key.authorization } })).statusCode).toBe(200);

    const { b, res: signedIn } = await browserOf('rotator');
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/accounts/password/change/?next=%2Fdashboard%2F');
    const dash = await b.get('/dashboard/');
    expect(dash.headers.location).toMatch(/^\/accounts\/password\/change\//);
    const form = await b.get('/accounts/password/change/?next=%2Fdashboard%2F');
    expect(form.body).toContain('Your administrator asks you to choose a new password');
    const mismatch = await b.post('/accounts/password/change/', {
      current_password: STRONG_PASSWORD,
      password: NEW_PASSWORD,
      password2: 'other',
      next: '/dashboard/',
    });
    expect(mismatch.statusCode).toBe(400);
    const changed = await b.post('/accounts/password/change/', {
      current_password: STRONG_PASSWORD,
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
      next: '/dashboard/',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/dashboard/');
    expect((await b.get('/dashboard/')).statusCode).toBe(200);
    expect((await login('rotator', NEW_PASSWORD)).statusCode).toBe(200);
    expect((await login('rotator', STRONG_PASSWORD)).statusCode).toBe(400);
    const [entry] = await auditFor('user.require_password_change');
    expect(entry).toMatchObject({ target: 'rotator', outcome: 'success' });
    const refusals = (await auditFor('auth.login')).filter((e) => e.target === 'rotator' && e.detail?.reason === 'password_change_required');
    expect(refusals.length).toBe(2);
  });

  it('bulk: one action over many users, each changed, unchanged or failed', async () => {
    const a = await adminCreateUser(t.app, admin.token, { username: 'bulk-a' });
    const c = await adminCreateUser(t.app, admin.token, { username: 'bulk-c' });
    expect((await post(`${A}/users/${c.user.id}/require-password-change`)).statusCode).toBe(200);
    const res = await post(`${A}/users/lifecycle`, { ids: [a.user.id, c.user.id, 999999], action: 'require_password_change' });
    expect(res.statusCode, res.body).toBe(200);
    const r = json<{ changed: Array<{ username: string }>; unchanged: Array<{ username: string }>; failed: Array<{ id: number; code: string }> }>(res);
    expect(r.changed.map((x) => x.username)).toEqual(['bulk-a']);
    expect(r.unchanged.map((x) => x.username)).toEqual(['bulk-c']);
    expect(r.failed).toEqual([{ id: 999999, code: 'USER_NOT_FOUND', message: 'No user with id 999999.' }]);
    const out = json<{ changed: unknown[] }>(await post(`${A}/users/lifecycle`, { ids: [a.user.id, c.user.id], action: 'sign_out' }));
    expect(out.changed).toHaveLength(2);
    expect((await me(`Bearer ${a.token}`)).statusCode).toBe(401);
    expect((await me(a.key.authorization)).statusCode).toBe(200);
    const keys = json<{ changed: unknown[] }>(await post(`${A}/users/lifecycle`, { ids: [a.user.id], action: 'sign_out', revoke_keys: true }));
    expect(keys.changed).toHaveLength(1);
    expect((await me(a.key.authorization)).statusCode).toBe(401);
  });

  it('refuses bad bodies by name, and non-superusers, with nothing changed', async () => {
    const u = await adminCreateUser(t.app, admin.token, { username: 'plain' });
    for (const [payload, words] of [
      [{ ids: [u.user.id], action: 'delete' }, 'action'],
      [{ ids: [], action: 'sign_out' }, 'ids'],
      [{ ids: [u.user.id, u.user.id], action: 'sign_out' }, 'repeat'],
      [{ ids: [u.user.id], action: 'revoke_keys', revoke_keys: true }, 'revoke_keys'],
    ] as const) {
      const res = await post(`${A}/users/lifecycle`, payload);
      expect(res.statusCode).toBe(400);
      expect(json(res).error).toBe('VALIDATION');
      expect(String(json(res).message)).toContain(words);
    }
    expect((await post(`${A}/users/${u.user.id}/sign-out`, { revoke_keys: 'yes' })).statusCode).toBe(400);
    expect(json(await post(`${A}/users/${u.user.id}/sign-out`, {}, u.token)).error).toBe('SUPERUSER_REQUIRED');
    expect(json(await post(`${A}/users/999999/sign-out`)).error).toBe('USER_NOT_FOUND');
    expect((await me(`Bearer ${u.token}`)).statusCode).toBe(200);
  });
});
