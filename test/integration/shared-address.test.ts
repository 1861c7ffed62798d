import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';

describe.each(dialects())('many users behind one address (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it("during a 150-attempt unknown-name brute force from loopback, another user's right password and personal key still work", async () => {
    t = await makeTestApp(dialect); // default limits: 10 per account, 100 per address, 15 minutes
    const admin = await signup(t.app, 'admin');
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    const fromLoopback = { remoteAddress: '127.0.0.1' };

    const guesses: number[] = [];
    const bobLogins: number[] = [];
    const bobKeys: number[] = [];
    // Eight guesses in flight at a time; bob signs in and exchanges his key every 25 guesses.
    let next = 0;
    const attacker = async () => {
      while (next < 150) {
        const i = next++;
        const res = await t.app.inject({
          method: 'POST',
          url: '/api-token-auth/',
          ...fromLoopback,
          payload: { username: `ghost${i}`, password: `guess number ${i}` },
        });
        guesses.push(res.statusCode);
      }
    };
    const victim = async () => {
      for (let round = 0; round < 6; round++) {
        while (guesses.length < round * 25 + 10) await new Promise((r) => setTimeout(r, 2));
        const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', ...fromLoopback, payload: { username: 'bob', password: STRONG_PASSWORD } });
        bobLogins.push(login.statusCode);
        const key = await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', ...fromLoopback, headers: { authorization: bob.key.authorization } });
        bobKeys.push(key.statusCode);
      }
    };
    await Promise.all([...Array.from({ length: 8 }, attacker), victim()]);

    expect(guesses).toHaveLength(150);
    expect(guesses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(100);
    expect(guesses.filter((s) => s === 429).length).toBeGreaterThan(30); // past the address limit the guesses are told to wait
    expect(bobLogins).toEqual(Array(6).fill(200));
    expect(bobKeys).toEqual(Array(6).fill(200));
    // And after it, from the same address: the page sign-in too.
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    expect((await browser.post('/accounts/login/', { username: 'bob', password: STRONG_PASSWORD })).headers.location).toBe('/dashboard/');
    // Every guess is in the audit, with the address it came from.
    const failures = await t.db.read
      .selectFrom('audit_log')
      .select(['client_ip', 'detail'])
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'failure')
      .execute();
    expect(failures).toHaveLength(150);
    expect(new Set(failures.map((f) => f.client_ip))).toEqual(new Set(['127.0.0.1']));
  });

  it('regression: wrong guesses at the current password on /dashboard/password were neither throttled nor audited', async () => {
    t = await makeTestApp(dialect, { config: { throttleAccountFailures: 5 } });
    await signup(t.app, 'admin');
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    await browser.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    const fresh = 'a brand new passphrase';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      await browser.get('/dashboard/');
      statuses.push((await browser.post('/dashboard/password', { current_password: `guess ${i} at it`, password: fresh, password2: fresh })).statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    expect(browser.body).toMatch(/Too many wrong passwords: try again in \d+ minutes?\./);
    // The right one is now refused too, until the window passes: guesses cannot be walked past the limit.
    await browser.get('/dashboard/');
    expect((await browser.post('/dashboard/password', { current_password: STRONG_PASSWORD, password: fresh, password2: fresh })).statusCode).toBe(429);
    const audited = await t.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'user.password').where('outcome', '=', 'failure').execute();
    expect(audited).toHaveLength(9);
    expect(JSON.parse(audited[0]!.detail!)).toMatchObject({ self: true, reason: 'bad_password' });
    expect(JSON.parse(audited[8]!.detail!)).toMatchObject({ self: true, reason: 'throttled' });
    // A guess on the password page counts against sign-in as well: it is the same password.
    const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: STRONG_PASSWORD } });
    expect(login.statusCode).toBe(429);
  });

  it('regression: the API password change (POST /api/v2/me/password) is throttled and audited like sign-in', async () => {
    t = await makeTestApp(dialect, { config: { throttleAccountFailures: 3 } });
    const admin = await signup(t.app, 'admin');
    const change = (current: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v2/me/password',
        headers: { authorization: admin.key.authorization },
        payload: { current_password: current, password: 'a brand new passphrase' },
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await change(`guess ${i} at it`)).statusCode);
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    expect((await change(STRONG_PASSWORD)).statusCode).toBe(429);
    const audited = await t.db.read.selectFrom('audit_log').select('detail').where('action', '=', 'user.password').where('outcome', '=', 'failure').execute();
    expect(audited).toHaveLength(6);
  });

  it('the API password change with the right current password returns a fresh JWT and ends the old ones', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v2/me/password',
      headers: bearer(admin.token),
      payload: { current_password: STRONG_PASSWORD, password: 'a brand new passphrase' },
    });
    expect(res.statusCode).toBe(200);
    const { token } = json<{ token: string }>(res);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(admin.token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(token) })).statusCode).toBe(200);
    const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: 'a brand new passphrase' } });
    expect(login.statusCode).toBe(200);
  });
});
