import { afterEach, describe, expect, it } from 'vitest';
import { dialects, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';
import { manualClock } from '../../src-server/lib/clock.ts';

describe.each(dialects())('pages: sessions, CSRF and redirects (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function withAdmin(opts: Parameters<typeof makeTestApp>[1] = {}) {
    t = await makeTestApp(dialect, opts);
    return signup(t.app, 'admin');
  }
  async function signedIn(username = 'admin', password = STRONG_PASSWORD) {
    const c = formClient(t.app);
    await c.get('/accounts/login/');
    const res = await c.post('/accounts/login/', { username, password });
    expect(res.statusCode, res.body).toBe(303);
    return c;
  }

  it('refuses a form without a CSRF token, with a wrong one, and from a foreign Origin', async () => {
    await withAdmin();
    const c = formClient(t.app);
    await c.get('/accounts/login/');
    expect((await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD }, { csrf: null })).statusCode).toBe(403);
    expect((await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD }, { csrf: 'x'.repeat(64) })).statusCode).toBe(403);
    await c.get('/accounts/login/');
    const foreign = await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD }, { origin: 'http://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['set-cookie'] ?? '').not.toMatch(/gadm_session=[^;]/);

    const s = await signedIn();
    await s.get('/dashboard/');
    expect((await s.post('/dashboard/token', {}, { csrf: null })).statusCode).toBe(403);
    expect((await s.get('/dashboard/')).body).not.toContain('Your JWT');
    await s.get('/dashboard/');
    expect((await s.post('/dashboard/keys', { name: 'x' }, { origin: 'https://evil.example' })).statusCode).toBe(403);
    // A CSRF token from another session is no good either.
    const other = await signedIn();
    await other.get('/dashboard/');
    expect((await s.post('/dashboard/token', {}, { csrf: other.csrf() })).statusCode).toBe(403);
  });

  it('gives a new session id at sign-in: a planted id is never the one after it', async () => {
    await withAdmin();
    const victim = formClient(t.app);
    victim.jar.set('gadm_session', 'planted-by-attacker-0123456789');
    await victim.get('/accounts/login/');
    await victim.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    expect(victim.jar.get('gadm_session')).toBeDefined();
    expect(victim.jar.get('gadm_session')).not.toBe('planted-by-attacker-0123456789');

    // Even a real session id brought to the sign-in is replaced, and the old one ends.
    const attacker = await signedIn();
    const planted = attacker.jar.get('gadm_session')!;
    const v2 = formClient(t.app);
    await v2.get('/accounts/login/');
    v2.jar.set('gadm_session', planted);
    await v2.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    expect(v2.jar.get('gadm_session')).not.toBe(planted);
    expect((await attacker.get('/dashboard/')).statusCode).toBe(303);
  });

  it('sign-out ends the session on the server: the old cookie no longer works', async () => {
    await withAdmin();
    const c = await signedIn();
    const old = c.jar.get('gadm_session')!;
    expect((await c.get('/dashboard/')).statusCode).toBe(200);
    const out = await c.post('/accounts/logout/', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/accounts/login/');
    const replay = await t.app.inject({ method: 'GET', url: '/dashboard/', headers: { cookie: `gadm_session=${old}` } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toMatch(/^\/accounts\/login\/\?next=/);
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example', 'http:/\\/evil.example', 'javascript:alert(1)'])(
    'next=%s goes to the dashboard',
    async (next) => {
      await withAdmin();
      const c = formClient(t.app);
      await c.get(`/accounts/login/?next=${encodeURIComponent(next)}`);
      expect(c.body).not.toContain('evil.example');
      const res = await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD, next });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/dashboard/');
    },
  );

  it('a same-site next is honoured', async () => {
    await withAdmin();
    const c = formClient(t.app);
    await c.get('/accounts/login/?next=%2Fdashboard%2Fkeys%2Fabc%2Frevoke');
    const res = await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD, next: '/dashboard/keys/abc/revoke' });
    expect(res.headers.location).toBe('/dashboard/keys/abc/revoke');
  });

  it('sets HttpOnly, SameSite=Lax session cookies, Secure when configured, and strict security headers', async () => {
    await withAdmin({ config: { sessionCookieSecure: true } });
    const c = formClient(t.app);
    const page = await c.get('/accounts/login/');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    expect(page.body).not.toMatch(/<script>(?!<\/script>)|\son\w+="/);
    const res = await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/gadm_session=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Secure/);
  });

  it('ends sessions after the idle timeout and after the absolute lifetime', async () => {
    const clock = manualClock();
    await withAdmin({ clock, config: { sessionIdleTimeout: 3600, sessionCookieAge: 7200 } });
    const c = await signedIn();
    clock.advance(3000_000);
    expect((await c.get('/dashboard/')).statusCode).toBe(200);
    clock.advance(3000_000); // active, so idle never ran out
    expect((await c.get('/dashboard/')).statusCode).toBe(200);
    clock.advance(1300_000); // past two hours in all
    expect((await c.get('/dashboard/')).statusCode).toBe(303);

    const idle = await signedIn();
    clock.advance(3601_000);
    expect((await idle.get('/dashboard/')).statusCode).toBe(303);
  });

  it('changing your password keeps this session, ends other sessions and other JWTs', async () => {
    const admin = await withAdmin();
    const here = await signedIn();
    const elsewhere = await signedIn();
    await here.get('/dashboard/');
    const res = await here.post('/dashboard/password', {
      current_password: STRONG_PASSWORD,
      password: 'a brand new passphrase',
      password2: 'a brand new passphrase',
    });
    expect(res.statusCode).toBe(303);
    expect((await here.get('/dashboard/')).body).toContain('Password changed');
    expect((await elsewhere.get('/dashboard/')).statusCode).toBe(303);
    const me = await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: { authorization: `Bearer ${admin.token}` } });
    expect(me.statusCode).toBe(401);

    await here.get('/dashboard/');
    const wrong = await here.post('/dashboard/password', {
      current_password: 'not it at all',
      password: 'another new passphrase',
      password2: 'another new passphrase',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('current password is not correct');
  });

  it('a throttled sign-in page answers 429 with Retry-After and the generic message', async () => {
    await withAdmin({ config: { throttleAccountFailures: 2 } });
    const c = formClient(t.app);
    for (let i = 0; i < 2; i++) {
      await c.get('/accounts/login/');
      expect((await c.post('/accounts/login/', { username: 'admin', password: 'wrong password x' })).statusCode).toBe(400);
    }
    await c.get('/accounts/login/');
    const res = await c.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toContain('Unable to log in with provided credentials.');
  });
});
