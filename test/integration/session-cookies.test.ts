import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, dialects, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';
import { startServer } from '../helpers/server-process.ts';
import { opensslMissing, selfSigned, startTlsProxy } from '../helpers/tls-proxy.ts';

/** Issue 19 item 5: the pages' cookies are Secure and `__Host-` over HTTPS, and never one of two. */

const HTTPS = { 'x-forwarded-proto': 'https' };

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case, with their values ('' for flags). */
  attrs: Map<string, string>;
}

function setCookies(headers: Record<string, unknown>): SetCookie[] {
  return [headers['set-cookie'] ?? []].flat().map((line) => {
    const [pair, ...rest] = String(line).split(/;\s*/);
    const at = pair!.indexOf('=');
    return { name: pair!.slice(0, at), value: pair!.slice(at + 1), attrs: new Map(rest.map((a) => [a.split('=')[0]!.toLowerCase(), a.split('=')[1] ?? ''])) };
  });
}
const cookieNamed = (res: LightMyRequestResponse, name: string) => setCookies(res.headers).find((c) => c.name === name);

/** What a browser needs to keep a `__Host-` cookie: Secure, Path=/ and no Domain. */
function expectHostCookie(c: SetCookie | undefined): void {
  expect(c, 'cookie set').toBeDefined();
  expect(c!.name.startsWith('__Host-')).toBe(true);
  expect(c!.attrs.has('secure')).toBe(true);
  expect(c!.attrs.get('path')).toBe('/');
  expect(c!.attrs.has('domain')).toBe(false);
  expect(c!.attrs.has('httponly')).toBe(true);
  expect(c!.attrs.get('samesite')?.toLowerCase()).toBe('lax');
}
const expectCleared = (c: SetCookie | undefined) => expect(c && (c.value === '' || c.attrs.get('max-age') === '0')).toBe(true);

describe.each(dialects())('session cookies (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function signIn(browser: ReturnType<typeof formClient>, username = 'admin') {
    await browser.get('/accounts/login/');
    return browser.post('/accounts/login/', { username, password: STRONG_PASSWORD });
  }

  /** Behind an HTTPS proxy: the admin's and mallory's (staff) `__Host-` session values. */
  async function twoHttpsSessions(): Promise<{ mine: string; theirs: string }> {
    t = await makeTestApp(dialect, { config: { trustProxy: 1 } });
    const admin = await signup(t.app, 'admin');
    await adminCreateUser(t.app, admin.token, { username: 'mallory', is_staff: true });
    const values: string[] = [];
    for (const username of ['admin', 'mallory']) {
      const browser = formClient(t.app, 'https://localhost:80', HTTPS);
      await signIn(browser, username);
      values.push(browser.jar.get('__Host-gadm_session')!);
    }
    return { mine: values[0]!, theirs: values[1]! };
  }

  it('regression: behind the documented HTTPS proxy (TRUST_PROXY=1, X-Forwarded-Proto: https) the session cookie had no Secure', async () => {
    t = await makeTestApp(dialect, { config: { trustProxy: 1 } });
    await signup(t.app, 'admin');
    const browser = formClient(t.app, 'https://localhost:80', HTTPS);
    const page = await browser.get('/accounts/login/');
    expectHostCookie(cookieNamed(page, '__Host-gadm_presession'));
    expect(cookieNamed(page, '__Host-gadm_presession')!.attrs.has('max-age')).toBe(false); // lasts as long as the browser session
    const res = await browser.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    expect(res.statusCode, res.body).toBe(303);
    const session = cookieNamed(res, '__Host-gadm_session');
    expectHostCookie(session);
    expect(session!.attrs.get('max-age')).toBe('1209600');
    // The pre-session cookie goes at sign-in, deleted as a __Host- cookie must be: with Secure.
    expectCleared(cookieNamed(res, '__Host-gadm_presession'));
    expect(cookieNamed(res, '__Host-gadm_presession')!.attrs.has('secure')).toBe(true);
    expect(setCookies(res.headers).map((c) => c.name)).not.toContain('gadm_session');
    expect((await browser.get('/dashboard/')).statusCode).toBe(200);

    // Over HTTPS the plain name is not read, so a cookie anyone could plant there signs nobody in.
    const plain = await t.app.inject({ method: 'GET', url: '/dashboard/', headers: { ...HTTPS, cookie: `gadm_session=${session!.value}` } });
    expect(plain.statusCode).toBe(303);

    await browser.get('/dashboard/');
    const out = await browser.post('/accounts/logout/', {});
    expect(out.statusCode).toBe(303);
    const cleared = cookieNamed(out, '__Host-gadm_session');
    expectCleared(cleared);
    expect(cleared!.attrs.has('secure')).toBe(true);
    const replay = await t.app.inject({ method: 'GET', url: '/dashboard/', headers: { ...HTTPS, cookie: `__Host-gadm_session=${session!.value}` } });
    expect(replay.statusCode).toBe(303);
  });

  it('over plain HTTP the names stay plain and not Secure, and X-Forwarded-Proto from a peer TRUST_PROXY does not believe changes nothing', async () => {
    t = await makeTestApp(dialect); // TRUST_PROXY off: the header is the client's own say-so
    await signup(t.app, 'admin');
    const browser = formClient(t.app, 'http://localhost:80', HTTPS);
    const page = await browser.get('/accounts/login/');
    expect(cookieNamed(page, 'gadm_presession')!.attrs.has('secure')).toBe(false);
    const res = await browser.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD });
    const session = cookieNamed(res, 'gadm_session');
    expect(session!.attrs.has('secure')).toBe(false);
    expect(session!.attrs.get('path')).toBe('/');
    expect(session!.attrs.get('max-age')).toBe('1209600');
    expect(setCookies(res.headers).some((c) => c.name.startsWith('__Host-'))).toBe(false);
    expect((await browser.get('/dashboard/')).statusCode).toBe(200);
  });

  it('SESSION_COOKIE_SECURE=1 makes every request count as HTTPS (a TLS proxy that sends no X-Forwarded-Proto)', async () => {
    t = await makeTestApp(dialect, { config: { sessionCookieSecure: true, sessionCookieAge: 3600 } });
    await signup(t.app, 'admin');
    const browser = formClient(t.app);
    const res = await signIn(browser);
    const session = cookieNamed(res, '__Host-gadm_session');
    expectHostCookie(session);
    expect(session!.attrs.get('max-age')).toBe('3600');
    expect((await browser.get('/dashboard/')).statusCode).toBe(200);
  });

  it('regression: of two session cookies the first sent decided, so one planted on a longer path chose whose session it was; now the request is refused and nothing changes', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await adminCreateUser(t.app, admin.token, { username: 'mallory' });
    const victim = formClient(t.app);
    await signIn(victim, 'admin');
    const attacker = formClient(t.app);
    await signIn(attacker, 'mallory');
    await attacker.get('/dashboard/');
    // Mallory's cookie, planted on Path=/dashboard/, is sent before the victim's own.
    const both = `gadm_session=${attacker.jar.get('gadm_session')}; gadm_session=${victim.jar.get('gadm_session')}`;
    const page = await t.app.inject({ method: 'GET', url: '/dashboard/', headers: { cookie: both } });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Conflicting cookies');
    expect(page.body).not.toContain('mallory');

    const keys = async () => (await t.db.read.selectFrom('personal_keys').select('id').execute()).length;
    const before = await keys();
    const form = (cookie: string, fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/dashboard/keys',
        headers: { cookie, origin: 'http://localhost:80', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    // The token that goes with the first cookie, as the planter would have it.
    const refused = await form(both, { csrf: attacker.csrf(), name: 'planted' });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(await keys()).toBe(before);
    // Neither session was ended: each alone still works.
    expect((await victim.get('/dashboard/')).statusCode).toBe(200);
    expect((await attacker.get('/dashboard/')).statusCode).toBe(200);

    // Two pre-session (CSRF) cookies at sign-in: refused, no session started.
    const planter = formClient(t.app);
    await planter.get('/accounts/login/');
    const anon = formClient(t.app);
    await anon.get('/accounts/login/');
    const twoPre = `gadm_presession=${planter.jar.get('gadm_presession')}; gadm_presession=${anon.jar.get('gadm_presession')}`;
    const login = await t.app.inject({
      method: 'POST',
      url: '/accounts/login/',
      headers: { cookie: twoPre, origin: 'http://localhost:80', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: planter.csrf(), username: 'admin', password: STRONG_PASSWORD }).toString(),
    });
    expect(login.statusCode).toBe(400);
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  it('over HTTPS two __Host- session cookies are refused too, while plain ones (which anyone could plant) are not even read', async () => {
    const { mine, theirs } = await twoHttpsSessions();
    const get = (cookie: string) => t.app.inject({ method: 'GET', url: '/dashboard/', headers: { ...HTTPS, cookie } });
    expect((await get(`__Host-gadm_session=${theirs}; __Host-gadm_session=${mine}`)).statusCode).toBe(400);
    const planted = await get(`gadm_session=${theirs}; gadm_session=x; __Host-gadm_session=${mine}`);
    expect(planted.statusCode).toBe(200);
    expect(planted.body).toContain('admin');
    expect(planted.body).not.toContain('mallory');
  });

  it('the forward-auth check reads the __Host- session cookie, prefers it to a plain one, and refuses two', async () => {
    const { mine, theirs } = await twoHttpsSessions();
    // nginx's auth_request arrives as plain HTTP, without X-Forwarded-Proto.
    const check = (cookie: string) => t.app.inject({ method: 'GET', url: '/auth/check', headers: { cookie } });
    const ok = await check(`theme=dark; __Host-gadm_session=${mine}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['remote-user']).toBe('admin');
    const preferred = await check(`gadm_session=${theirs}; __Host-gadm_session=${mine}`);
    expect(preferred.headers['remote-user']).toBe('admin');
    expect((await check(`__Host-gadm_session=${theirs}; __Host-gadm_session=${mine}`)).statusCode).toBe(401);
  });
});

describe('session cookies through a real TLS proxy in front of `serve`', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it.skipIf(opensslMissing() !== null)('a browser reaching the server over HTTPS gets Secure __Host- cookies and stays signed in with them', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startServer(['--data-dir', dir], { TRUST_PROXY: '1' });
    cleanups.push(() => server.stop());
    const cert = selfSigned('IP:127.0.0.1');
    cleanups.push(() => cert.cleanup());
    const proxy = await startTlsProxy(server.url, cert);
    cleanups.push(() => proxy.close());

    const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = request(`${proxy.url}${path}`, { method, headers, ca: cert.cert }, (res) => {
          let text = '';
          res.on('data', (c) => (text += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const created = await send(
      'POST',
      '/api/v2/auth/signup',
      { 'content-type': 'application/json' },
      JSON.stringify({ username: 'admin', password: STRONG_PASSWORD }),
    );
    expect(created.status).toBe(201);

    const page = await send('GET', '/accounts/login/');
    const pre = setCookies(page.headers).find((c) => c.name === '__Host-gadm_presession');
    expectHostCookie(pre);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const form = new URLSearchParams({ csrf, username: 'admin', password: STRONG_PASSWORD }).toString();
    const login = await send(
      'POST',
      '/accounts/login/',
      { cookie: `__Host-gadm_presession=${pre!.value}`, origin: proxy.url, 'content-type': 'application/x-www-form-urlencoded' },
      form,
    );
    expect(login.status, login.body).toBe(303);
    const session = setCookies(login.headers).find((c) => c.name === '__Host-gadm_session');
    expectHostCookie(session);
    const dashboard = await send('GET', '/dashboard/', { cookie: `__Host-gadm_session=${session!.value}` });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain('admin');
    // The same server reached directly over loopback HTTP still uses (and reads) the plain name.
    const direct = await fetch(`${server.url}/accounts/login/`);
    expect(direct.headers.getSetCookie().join('\n')).toMatch(/^gadm_presession=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/m);
  });
});
