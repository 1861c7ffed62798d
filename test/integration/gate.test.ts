import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { sessionCookie } from '../helpers/form-client.ts';
import { rawGet } from '../helpers/front-proxy.ts';
import { FORGED_IDENTITY, identityHeadersIn, MALFORMED_IDENTITY, startStandInTool, type StandInTool } from '../helpers/stand-in-tool.ts';
import { closed, nextMessage, openWebSocket } from '../helpers/ws-client.ts';

/**
 * The built-in gate over real HTTP on 127.0.0.1: a staff-only reverse proxy
 * for HTTP and WebSocket in front of a stand-in investigation tool.
 */

describe.each(dialects())('built-in gate (%s)', (dialect) => {
  let t: TestApp;
  let tool: StandInTool;
  let base: string;
  let admin: SignedUp;
  let bob: SignedUp; // not staff
  let carol: SignedUp; // staff

  afterEach(async () => {
    await t?.close();
    await tool?.close();
  });

  async function start(upstream?: string): Promise<void> {
    tool = await startStandInTool('/pivot/');
    t = await makeTestApp(dialect, { config: { gates: [`investigation=/pivot/=${upstream ?? tool.url}`] } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    admin = await signup(t.app, 'admin');
    bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    carol = await adminCreateUser(t.app, admin.token, { username: 'carol', email: 'carol@example.com', is_staff: true });
  }

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });
  /** A page load as a browser makes it (fetch() cannot send Sec-Fetch-Mode: navigate). */
  const navigate = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.get(`${base}${path}`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate', ...headers } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
    });
  const demote = (id: number, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(admin.token), payload });

  it('passes staff through with its own identity headers, and strips forged ones, our session cookie and our Authorization', async () => {
    await start();
    const cookie = await sessionCookie(t.app, 'carol', STRONG_PASSWORD);
    const res = await get('/pivot/whoami?x=1', {
      cookie: `theme=dark; ${cookie}; gadm_presession=abc`,
      'remote-user': 'admin',
      'remote-groups': 'staff,superuser',
      'x-forwarded-user': 'admin',
      'x-forwarded-for': '203.0.113.9',
      authorization: 'token for-the-tool-itself',
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['tool_a=1; Path=/pivot/', 'tool_b=2; Path=/pivot/']);
    const { headers, url } = (await res.json()) as { headers: Record<string, string>; url: string };
    expect(url).toBe('/pivot/whoami?x=1');
    expect(headers).toMatchObject({
      'remote-user': 'carol',
      'remote-email': 'carol@example.com',
      'remote-groups': 'staff',
      'x-forwarded-for': '127.0.0.1',
      cookie: 'theme=dark',
    });
    expect(headers['x-forwarded-user']).toBeUndefined();
    expect(headers.authorization).toBe('token for-the-tool-itself'); // not ours: the tool's own business

    // Long paths (a notebook deep in folders) are not cut by the router's parameter limit.
    const deep = `/pivot/whoami/${'folder/'.repeat(120)}notebook.ipynb`;
    const long = await get(deep, bearer(carol.token));
    expect(long.status).toBe(404); // the tool's own answer: it reached the tool
    expect(await long.text()).toBe('not found');

    const viaJwt = (await (await get('/pivot/whoami', bearer(carol.token))).json()) as { headers: Record<string, string> };
    expect(viaJwt.headers['remote-user']).toBe('carol');
    expect(viaJwt.headers.authorization).toBeUndefined();
  });

  it('Regression (#19, 2): Remote_User, REMOTE_USER, X-Auth-Request-Access-Token and other spellings of identity headers passed the gate', async () => {
    await start();
    const cookie = await sessionCookie(t.app, 'carol', STRONG_PASSWORD);
    const forged = await rawGet(base, '/pivot/whoami', [
      `Cookie: ${cookie}`,
      ...FORGED_IDENTITY.map(([name, value]) => `${name}: ${value}`),
      'X_Tool_Option: 1',
      'X-Tool-Option: 2',
    ]);
    expect(forged.status, forged.body).toBe(200);
    const { rawHeaders } = JSON.parse(forged.body) as { rawHeaders: string[] };
    const asCarol = [
      ['remote-email', 'carol@example.com'],
      ['remote-email-encoded', "UTF-8''carol%40example.com"],
      ['remote-groups', 'staff'],
      ['remote-user', 'carol'],
      ['remote-user-encoded', "UTF-8''carol"],
      ['remote-user-id', String(carol.user.id)],
    ];
    expect(
      rawHeaders.filter((h, i) => h.includes('forged') || (i % 2 === 0 && h.includes('_'))),
      'client identity headers, and names with _, that reached the tool',
    ).toEqual([]);
    expect(identityHeadersIn(rawHeaders)).toEqual(asCarol);
    expect(
      rawHeaders.map((h) => h.toLowerCase()),
      'other headers pass',
    ).toContain('x-tool-option');
    // Node's parser refuses whitespace before a colon and folded lines outright.
    for (const line of MALFORMED_IDENTITY) expect((await rawGet(base, '/pivot/whoami', [`Cookie: ${cookie}`, line])).status, JSON.stringify(line)).toBe(400);
    // The WebSocket handshake is forwarded with the same headers.
    const ws = await openWebSocket(`${base.replace('http', 'ws')}/pivot/ws`, { ...bearer(carol.token), remote_user: 'admin', 'x-auth-request-user': 'admin' });
    if (!ws.ok) throw new Error(`handshake refused: ${ws.status}`);
    expect(JSON.parse(await nextMessage(ws))).toEqual({ hello: 'carol' });
    ws.ws.close();
    expect(
      identityHeadersIn(
        Object.entries(tool.seen.at(-1) ?? {})
          .flat()
          .map(String),
      ),
    ).toEqual(asCarol);
  });

  it('Regression (#19, 1): danaé reached every gated service as Remote-User: dana, another staff member', async () => {
    await start();
    const dana = await adminCreateUser(t.app, admin.token, { username: 'dana', email: 'dana@corp.example', is_staff: true });
    const invitation = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: { grant_staff: true } }),
    );
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: invitation.token, username: 'danaé', password: STRONG_PASSWORD, email: 'dana@corpé.example' },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const danae = json<{ user: { id: number; username: string }; token: string }>(accepted);
    expect(danae.user.username).toBe('danaé');
    const seen = async (headers: Record<string, string>) =>
      identityHeadersIn(((await (await get('/pivot/whoami', headers)).json()) as { rawHeaders: string[] }).rawHeaders);

    const asDanae = [
      ['remote-email-encoded', "UTF-8''dana%40corp%C3%A9.example"],
      ['remote-groups', 'staff'],
      ['remote-user-encoded', "UTF-8''dana%C3%A9"],
      ['remote-user-id', String(danae.user.id)],
    ];
    // No Remote-User and no Remote-Email at all: neither name can be sent as it is, and is never approximated.
    expect(await seen(bearer(danae.token))).toEqual(asDanae);
    expect(await seen({ cookie: await sessionCookie(t.app, 'danaé', STRONG_PASSWORD), 'remote-user': 'dana' })).toEqual(asDanae);
    expect(await seen(bearer(dana.token))).toEqual([
      ['remote-email', 'dana@corp.example'],
      ['remote-email-encoded', "UTF-8''dana%40corp.example"],
      ['remote-groups', 'staff'],
      ['remote-user', 'dana'],
      ['remote-user-encoded', "UTF-8''dana"],
      ['remote-user-id', String(dana.user.id)],
    ]);
    const ws = await openWebSocket(`${base.replace('http', 'ws')}/pivot/ws`, bearer(danae.token));
    if (!ws.ok) throw new Error(`handshake refused: ${ws.status}`);
    expect(JSON.parse(await nextMessage(ws)), 'no Remote-User on the WebSocket either').toEqual({ hello: null });
    ws.ws.close();
  });

  it('streams large bodies both ways (beyond the API body limit)', async () => {
    await start();
    const body = randomBytes(5 * 1024 * 1024);
    const res = await fetch(`${base}/pivot/upload`, { method: 'POST', headers: { ...bearer(carol.token), 'content-type': 'application/octet-stream' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('refuses everyone but staff: sign-in and back for anonymous browsers, 401 for scripts, 403 for non-staff', async () => {
    await start();
    const anonymousPage = await navigate('/pivot/case/7?tab=graph');
    expect(anonymousPage.status).toBe(302);
    expect(anonymousPage.headers.location).toBe(`/accounts/login/?next=${encodeURIComponent('/pivot/case/7?tab=graph')}`);
    const anonymousApi = await get('/pivot/whoami', { accept: 'application/json', 'remote-user': 'admin' });
    expect(anonymousApi.status).toBe(401);
    expect(anonymousApi.headers.get('x-login-url')).toBe('/accounts/login/?next=%2Fpivot%2Fwhoami');
    expect(await anonymousApi.json()).toMatchObject({ error: 'UNAUTHENTICATED' });

    const bobCookie = await sessionCookie(t.app, 'bob', STRONG_PASSWORD);
    const page = await navigate('/pivot/', { cookie: bobCookie });
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('signed in as <strong>bob</strong>');
    expect((await get('/pivot/whoami', bearer(bob.token))).status).toBe(403);
    expect((await get('/pivot/whoami', { authorization: bob.key.authorization })).status).toBe(403);
    expect(tool.seen.length, 'nothing reached the tool').toBe(0);

    const bare = await get('/pivot?x=1', bearer(carol.token));
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/pivot/?x=1');
  });

  it('refuses a cross-site write authenticated by the session cookie', async () => {
    await start();
    const cookie = await sessionCookie(t.app, 'carol', STRONG_PASSWORD);
    const post = (origin: string) => fetch(`${base}/pivot/upload`, { method: 'POST', headers: { cookie, origin, 'content-type': 'text/plain' }, body: 'x' });
    expect((await post('https://evil.example')).status).toBe(403);
    expect((await post(base)).status).toBe(200);
  });

  it('answers 502 with a clear page when the service is down', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    await start(`http://127.0.0.1:${closedPort}`);
    const page = await navigate('/pivot/', bearer(carol.token));
    expect(page.status).toBe(502);
    expect(page.body).toContain('The investigation service behind /pivot/ is not answering');
    const api = await get('/pivot/whoami', bearer(carol.token));
    expect(api.status).toBe(502);
    expect(await api.json()).toMatchObject({ error: 'UPSTREAM_UNAVAILABLE' });
    const ws = await openWebSocket(`${base.replace('http', 'ws')}/pivot/ws`, bearer(carol.token));
    expect(ws.ok ? 0 : ws.status).toBe(502);
  });

  it('proxies WebSockets for staff only, and refuses cross-site handshakes', async () => {
    await start();
    const wsBase = base.replace('http', 'ws');
    const cookie = await sessionCookie(t.app, 'carol', STRONG_PASSWORD);
    const ok = await openWebSocket(`${wsBase}/pivot/ws`, { cookie, origin: base, 'remote-user': 'admin' });
    if (!ok.ok) throw new Error(`handshake refused: ${ok.status} ${ok.body}`);
    expect(JSON.parse(await nextMessage(ok))).toEqual({ hello: 'carol' });
    ok.ws.send('ping 1');
    expect(await nextMessage(ok)).toBe('ping 1');
    ok.ws.close();

    const refusedStatus = async (headers: Record<string, string>) => {
      const h = await openWebSocket(`${wsBase}/pivot/ws`, headers);
      if (h.ok) h.ws.terminate();
      return h.ok ? 101 : h.status;
    };
    expect(await refusedStatus({ 'remote-user': 'admin' })).toBe(401);
    expect(await refusedStatus(bearer(bob.token))).toBe(403);
    expect(await refusedStatus({ cookie: await sessionCookie(t.app, 'bob', STRONG_PASSWORD), origin: base })).toBe(403);
    expect(await refusedStatus({ cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(bearer(carol.token))).toBe(101);
  });

  it('closes the open WebSockets of a demoted, deactivated or signed-out user within seconds (1008), mid-stream cleanly', async () => {
    await start();
    const wsBase = base.replace('http', 'ws');
    const cookie = await sessionCookie(t.app, 'carol', STRONG_PASSWORD);
    const chat = await openWebSocket(`${wsBase}/pivot/ws`, { cookie, origin: base });
    const hose = await openWebSocket(`${wsBase}/pivot/firehose`, bearer(carol.token));
    const adminWs = await openWebSocket(`${wsBase}/pivot/ws`, bearer(admin.token));
    if (!chat.ok || !hose.ok || !adminWs.ok) throw new Error('handshake refused');
    let received = 0;
    hose.ws.on('message', (d: Buffer) => (received += d.length));
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBeGreaterThan(0);

    const since = performance.now();
    const chatClosed = closed(chat.ws, since);
    const hoseClosed = closed(hose.ws, since);
    expect((await demote(carol.user.id, { is_staff: false })).statusCode).toBe(200);
    for (const c of [await chatClosed, await hoseClosed]) {
      expect(c.code).toBe(1008);
      expect(c.reason).toBe('Access revoked');
      expect(c.error, 'a clean close, not a broken frame').toBeNull();
      expect(c.afterMs).toBeLessThan(3000);
    }
    expect(adminWs.ws.readyState, 'other users keep theirs').toBe(adminWs.ws.OPEN);
    expect((await openWebSocket(`${wsBase}/pivot/ws`, { cookie, origin: base })).ok, 'and the next handshake is refused').toBe(false);

    // Sign-out of a staff session.
    expect((await demote(carol.user.id, { is_staff: true })).statusCode).toBe(200);
    const again = await openWebSocket(`${wsBase}/pivot/ws`, { cookie, origin: base });
    if (!again.ok) throw new Error('handshake refused after promotion');
    const signedOut = closed(again.ws);
    await t.services.sessions.end(cookie.split('=')[1]);
    expect((await signedOut).code).toBe(1008);

    // Deactivation.
    const minted = await openWebSocket(`${wsBase}/pivot/ws`, bearer(carol.token));
    if (!minted.ok) throw new Error('handshake refused');
    const gone = closed(minted.ws);
    expect((await demote(carol.user.id, { is_active: false })).statusCode).toBe(200);
    expect((await gone).code).toBe(1008);
    adminWs.ws.close();
  });

  it('answers other upgrade requests as the requests they also are, and says 1001 to open WebSockets when the server stops', async () => {
    await start();
    const wsBase = base.replace('http', 'ws');
    const outside = await openWebSocket(`${wsBase}/api/v2/me`, bearer(carol.token));
    expect(outside.ok ? 101 : outside.status).toBe(200);
    expect(JSON.parse((outside as { body: string }).body)).toMatchObject({ username: 'carol' });
    // A proxy's forward-auth request that copies a WebSocket handshake's headers (Caddy's does) gets the check's answer.
    const raw = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const req = http.request(`${base}${path}`, { headers: { connection: 'Upgrade', upgrade: 'websocket', ...headers } });
        req.once('response', (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        });
        req.once('upgrade', () => reject(new Error('upgraded')));
        req.once('error', reject);
        req.end();
      });
    expect(await raw('/auth/check?require=staff', bearer(carol.token))).toMatchObject({
      status: 200,
      headers: { 'remote-user': 'carol', 'remote-groups': 'staff' },
    });
    expect((await raw('/auth/check?require=staff', {})).status).toBe(401);
    expect((await raw('/auth/check?require=superuser', bearer(carol.token))).status).toBe(403);
    const open = await openWebSocket(`${wsBase}/pivot/ws`, bearer(carol.token));
    if (!open.ok) throw new Error('handshake refused');
    const bye = closed(open.ws);
    await t.app.close();
    expect((await bye).code).toBe(1001);
  });
});
