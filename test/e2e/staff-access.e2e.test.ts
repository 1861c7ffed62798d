/// <reference lib="dom" />
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { post, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { jupyterMissing, startJupyter, type JupyterProcess } from '../helpers/jupyter.ts';
import { documentedNginxSnippet, nginxMissing, startNginx, type NginxProcess } from '../helpers/nginx.ts';
import { caddyMissing, documentedCaddySnippet, startCaddy } from '../helpers/caddy.ts';
import { rawGet, type FrontProxy } from '../helpers/front-proxy.ts';
import { FORGED_IDENTITY, identityHeadersIn, MALFORMED_IDENTITY, startStandInTool, type StandInTool } from '../helpers/stand-in-tool.ts';
import { closed, nextMessage, openWebSocket } from '../helpers/ws-client.ts';

/**
 * Staff-only access to the notebook server and the investigation tool, end to
 * end with real parts: Debian's Jupyter notebook server (loopback, its own
 * token off, base_url /notebook/), a stand-in investigation tool (node:http +
 * WebSocket, /pivot/), the account server as a real process, real Chromium,
 * and in front Debian's nginx running docs/staff-access.md's snippet as it is
 * (auth_request to /auth/check), Debian's Caddy running its
 * Caddyfile as it is (forward_auth), or the server's built-in gate. The same
 * scenario runs through all three, forged identity headers in every spelling
 * and a staff member whose name is not plain ASCII (`danaé`, beside `dana`)
 * included.
 */

const missing = [chromiumMissing(), nginxMissing(), caddyMissing(), jupyterMissing()].filter(Boolean);
if (missing.length) process.stderr.write(`\n!!! ${missing.join('; ')}: SKIPPING the staff-access end-to-end tests.\n\n`);

type Front = 'nginx' | 'caddy' | 'gate';

(missing.length ? describe.skip : describe)('staff-only notebooks and investigations, end to end', () => {
  let dataDir: string;
  let jupyter: JupyterProcess;
  let tool: StandInTool;
  let server: ServerProcess;
  let nginx: NginxProcess;
  let caddy: FrontProxy;
  let browser: Browser;
  let adminToken: string;
  const contexts: BrowserContext[] = [];
  const users = new Map<string, number>();

  beforeAll(async () => {
    dataDir = tempDir();
    [jupyter, tool, browser] = await Promise.all([startJupyter(), startStandInTool('/pivot/'), launchChromium()]);
    server = await startServer(['--data-dir', dataDir, '--gate', `notebook=/notebook/=${jupyter.url}`, '--gate', `investigation=/pivot/=${tool.url}`], {
      TRUST_PROXY: 'true',
    });
    const accountPort = new URL(server.url).port;
    const upstreams = (text: string) =>
      text
        .replaceAll('127.0.0.1:8000', `127.0.0.1:${accountPort}`)
        .replaceAll('127.0.0.1:8888', jupyter.url.replace('http://', ''))
        .replaceAll('127.0.0.1:8081', tool.url.replace('http://', ''));
    // Both started before either failure is thrown, so afterAll stops whichever did start.
    const [n, c] = await Promise.allSettled([
      startNginx(upstreams(documentedNginxSnippet()).replace('listen 80;', 'listen 127.0.0.1:PORT;')),
      startCaddy(upstreams(documentedCaddySnippet()).replace('graphistry.example.com', 'http://127.0.0.1:PORT')),
    ]);
    if (n.status === 'fulfilled') nginx = n.value;
    if (c.status === 'fulfilled') caddy = c.value;
    for (const r of [n, c]) if (r.status === 'rejected') throw r.reason;

    const admin = await post(`${server.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    expect(admin.status).toBe(201);
    adminToken = String(admin.body.token);
    for (const front of ['nginx', 'caddy', 'gate']) {
      for (const [who, staff] of [
        ['sam', true],
        ['nora', false],
        ['dora', true],
      ] as const) {
        const created = await post(
          `${server.url}/api/v2/admin/users`,
          { username: `${front}-${who}`, password: STRONG_PASSWORD, is_staff: staff },
          { authorization: `Bearer ${adminToken}` },
        );
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        users.set(`${front}-${who}`, Number((created.body.user as { id: number }).id));
      }
    }
    // dana, and danaé through an invitation as people join: one strip of the é away from each other.
    const dana = await post(
      `${server.url}/api/v2/admin/users`,
      { username: 'dana', password: STRONG_PASSWORD, email: 'dana@corp.example', is_staff: true },
      { authorization: `Bearer ${adminToken}` },
    );
    expect(dana.status, JSON.stringify(dana.body)).toBe(201);
    users.set('dana', Number((dana.body.user as { id: number }).id));
    const invitation = await post(`${server.url}/api/v2/admin/invitations`, { grant_staff: true }, { authorization: `Bearer ${adminToken}` });
    expect(invitation.status, JSON.stringify(invitation.body)).toBe(201);
    const danae = await post(`${server.url}/api/v2/auth/invitations/accept`, {
      token: invitation.body.token,
      username: 'danaé',
      password: STRONG_PASSWORD,
      email: 'dana@corpé.example',
    });
    expect(danae.status, JSON.stringify(danae.body)).toBe(201);
    users.set('danaé', Number((danae.body.user as { id: number }).id));
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await nginx?.stop();
    await caddy?.stop();
    await server?.stop();
    await jupyter?.stop();
    await tool?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const frontUrl = (front: Front) => ({ nginx: nginx.url, caddy: caddy.url, gate: server.url })[front];

  async function newPage(front: Front): Promise<Page> {
    const context = await browser.newContext({ baseURL: frontUrl(front), viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    return context.newPage();
  }

  async function fillSignIn(page: Page, username: string): Promise<void> {
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Sign in on the sign-in page through the front, as a browser posts the form; returns the Cookie header. */
  async function signIn(front: Front, username: string): Promise<string> {
    const base = frontUrl(front);
    const page = await fetch(`${base}/accounts/login/`);
    const pre = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${base}/accounts/login/`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: pre, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, username, password: STRONG_PASSWORD, next: '/dashboard/' }).toString(),
    });
    expect(res.status, `sign-in of ${username} through ${front}`).toBe(303);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('gadm_session='));
    return session!.split(';')[0]!;
  }

  const setRoles = (username: string, payload: Record<string, unknown>) =>
    fetch(`${server.url}/api/v2/admin/users/${users.get(username)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });

  const wsUrl = (front: Front, path: string) => `${frontUrl(front).replace('http://', 'ws://')}${path}`;

  describe.each(['nginx', 'caddy', 'gate'] as const)('through %s', (front) => {
    let kernelId = '';

    it('a staff user opens /notebook/, starts a kernel and runs a cell over the kernel WebSocket', async () => {
      const page = await newPage(front);
      await page.goto('/accounts/login/');
      await fillSignIn(page, `${front}-sam`);
      await page.waitForURL('**/dashboard/');
      await page.goto('/notebook/tree');
      await page.waitForSelector('#notebook_list');
      // A new notebook through Jupyter's API from the page (its own XSRF cookie and header), then Jupyter's editor.
      const path = await page.evaluate(async () => {
        const xsrf = decodeURIComponent(/_xsrf=([^;]+)/.exec(document.cookie)![1]!);
        const res = await fetch('/notebook/api/contents', {
          method: 'POST',
          headers: { 'X-XSRFToken': xsrf, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'notebook' }),
        });
        return ((await res.json()) as { path: string }).path;
      });
      await page.goto(`/notebook/notebooks/${path}`);
      await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 30_000 });
      await page.locator('.CodeMirror').first().click();
      await page.keyboard.type('print(sum(range(10)) * 6 - 228)');
      await page.keyboard.press('Shift+Enter');
      await expect.poll(() => page.locator('.output_subarea').first().textContent(), { timeout: 30_000 }).toContain('42');
      await page.screenshot({ path: `${screenshotDir()}/staff-notebook-${front}.png` });
      const kernels = await page.evaluate(async () => (await (await fetch('/notebook/api/kernels')).json()) as Array<{ id: string; execution_state: string }>);
      expect(kernels.length).toBeGreaterThan(0);
      kernelId = kernels[0]!.id;

      // The investigation tool sees who it is, over HTTP and over its WebSocket.
      await page.goto('/pivot/');
      if (front === 'nginx') {
        // nginx logs the kernel WebSocket (101, after its auth_request) once leaving the notebook closed it.
        const line = new RegExp(`"GET /notebook/api/kernels/${kernelId}/channels\\S* HTTP/1.1" 101 `);
        await expect.poll(() => line.test(nginx.accessLog()), { timeout: 10_000 }).toBe(true);
      }
      expect(await page.textContent('#who')).toBe(`${front}-sam`);
      const cookie = (await page.context().cookies()).filter((c) => c.name === 'gadm_session').map((c) => `${c.name}=${c.value}`)[0]!;
      const ws = await openWebSocket(wsUrl(front, '/pivot/ws'), { cookie, origin: frontUrl(front) });
      if (!ws.ok) throw new Error(`tool WebSocket refused: ${ws.status}`);
      expect(JSON.parse(await nextMessage(ws))).toEqual({ hello: `${front}-sam` });
      ws.ws.close();
    }, 90_000);

    it('a non-staff user gets 403 on HTTP and on the WebSocket', async () => {
      expect(kernelId, 'needs the kernel from the previous test').not.toBe('');
      const cookie = await signIn(front, `${front}-nora`);
      for (const path of ['/notebook/tree', '/notebook/api/kernels', '/pivot/whoami']) {
        expect((await fetch(`${frontUrl(front)}${path}`, { headers: { cookie }, redirect: 'manual' })).status, path).toBe(403);
      }
      for (const path of [`/notebook/api/kernels/${kernelId}/channels`, '/pivot/ws']) {
        const ws = await openWebSocket(wsUrl(front, path), { cookie, origin: frontUrl(front) });
        expect(ws.ok ? 101 : ws.status, path).toBe(403);
      }
    });

    it('an anonymous browser is sent to sign-in and back', async () => {
      const page = await newPage(front);
      await page.goto('/notebook/tree?sort=name');
      await page.waitForURL('**/accounts/login/**');
      expect(new URL(page.url()).search).toBe(`?next=${encodeURIComponent('/notebook/tree?sort=name')}`);
      await fillSignIn(page, `${front}-sam`);
      await page.waitForURL('**/notebook/tree?sort=name');
      await page.waitForSelector('#notebook_list');
      await page.goto('/pivot/');
      expect(await page.textContent('#who')).toBe(`${front}-sam`);
    }, 60_000);

    it('a user demoted mid-session is refused on the next request', async () => {
      const who = `${front}-dora`;
      const cookie = await signIn(front, who);
      const get = (path: string) => fetch(`${frontUrl(front)}${path}`, { headers: { cookie }, redirect: 'manual' });
      expect((await get('/notebook/api/contents')).status).toBe(200);
      expect((await get('/pivot/whoami')).status).toBe(200);
      const open = await openWebSocket(wsUrl(front, '/pivot/ws'), { cookie, origin: frontUrl(front) });
      if (!open.ok) throw new Error(`tool WebSocket refused: ${open.status}`);
      const since = performance.now();
      const gone = closed(open.ws, since);

      expect((await setRoles(who, { is_staff: false })).status).toBe(200);
      expect((await get('/notebook/api/contents')).status).toBe(403);
      expect((await get('/pivot/whoami')).status).toBe(403);
      const again = await openWebSocket(wsUrl(front, '/pivot/ws'), { cookie, origin: frontUrl(front) });
      expect(again.ok ? 101 : again.status).toBe(403);
      if (front === 'gate') {
        // Only the built-in gate can end a WebSocket that is already open; nginx and Caddy check at the handshake.
        const c = await gone;
        expect(c.code).toBe(1008);
        expect(c.afterMs).toBeLessThan(3000);
      } else open.ws.terminate();
    });

    /** The identity headers of `whoami` as the tool received them, raw. */
    const seenBy = (body: string) => (JSON.parse(body) as { rawHeaders: string[] }).rawHeaders;
    const asStaff = (username: string, extra: Array<[string, string]> = []) =>
      [
        ['remote-groups', 'staff'],
        ['remote-user', username],
        ['remote-user-encoded', `UTF-8''${username}`],
        ['remote-user-id', String(users.get(username))],
        ...extra,
      ].sort(([a], [b]) => a!.localeCompare(b!));

    it('Regression (#19, 2): Remote_User, REMOTE_USER, X-Auth-Request-Access-Token and other spellings of identity headers reached the service', async () => {
      const cookie = await signIn(front, `${front}-sam`);
      const res = await rawGet(frontUrl(front), '/pivot/whoami', [`Cookie: ${cookie}`, ...FORGED_IDENTITY.map(([name, value]) => `${name}: ${value}`)]);
      expect(res.status, res.body).toBe(200);
      const raw = seenBy(res.body);
      expect(
        raw.filter((h, i) => h.includes('forged') || (i % 2 === 0 && h.includes('_'))),
        `client identity headers, and names with _, that reached the tool through ${front}`,
      ).toEqual([]);
      expect(identityHeadersIn(raw)).toEqual(asStaff(`${front}-sam`));
      // Malformed lines are refused (400), or (Go, under Caddy) read as part of the header before: never as an identity.
      for (const line of MALFORMED_IDENTITY) {
        const answer = await rawGet(frontUrl(front), '/pivot/whoami', [`Cookie: ${cookie}`, line]);
        if (answer.status === 400) continue;
        expect([front, answer.status], JSON.stringify(line)).toEqual(['caddy', 200]);
        expect(identityHeadersIn(seenBy(answer.body))).toEqual(asStaff(`${front}-sam`));
      }
    });

    it('Regression (#19, 1): danaé reached the services as Remote-User: dana; she arrives by id and encoded name, with no Remote-User', async () => {
      const cookie = await signIn(front, 'danaé');
      const res = await rawGet(frontUrl(front), '/pivot/whoami', [`Cookie: ${cookie}`, 'Remote-User: dana', 'Remote-Email: dana@corp.example']);
      expect(res.status, res.body).toBe(200);
      expect(identityHeadersIn(seenBy(res.body))).toEqual([
        ['remote-email-encoded', "UTF-8''dana%40corp%C3%A9.example"],
        ['remote-groups', 'staff'],
        ['remote-user-encoded', "UTF-8''dana%C3%A9"],
        ['remote-user-id', String(users.get('danaé'))],
      ]);
      const ws = await openWebSocket(wsUrl(front, '/pivot/ws'), { cookie, origin: frontUrl(front) });
      if (!ws.ok) throw new Error(`tool WebSocket refused: ${ws.status}`);
      expect(JSON.parse(await nextMessage(ws))).toEqual({ hello: null });
      ws.ws.close();
      expect((await fetch(`${frontUrl(front)}/notebook/api/contents`, { headers: { cookie } })).status, 'and Jupyter lets her in').toBe(200);
      const dana = await signIn(front, 'dana');
      const hers = await rawGet(frontUrl(front), '/pivot/whoami', [`Cookie: ${dana}`]);
      expect(identityHeadersIn(seenBy(hers.body))).toEqual(
        asStaff('dana', [
          ['remote-email', 'dana@corp.example'],
          ['remote-email-encoded', "UTF-8''dana%40corp.example"],
        ]),
      );
    });

    it('a forged Remote-User header grants nothing', async () => {
      const forged = { 'remote-user': 'admin', 'remote-groups': 'staff,superuser', 'remote-email': 'admin@example.com' };
      const before = tool.seen.length;
      const anonymous = await fetch(`${frontUrl(front)}/pivot/whoami`, { headers: forged, redirect: 'manual' });
      expect([302, 401]).toContain(anonymous.status);
      expect((await fetch(`${frontUrl(front)}/notebook/api/contents`, { headers: forged, redirect: 'manual' })).status).not.toBe(200);
      expect(tool.seen.length, 'nothing reached the tool').toBe(before);
      const nora = await signIn(front, `${front}-nora`);
      expect((await fetch(`${frontUrl(front)}/pivot/whoami`, { headers: { ...forged, cookie: nora } })).status).toBe(403);
      const sam = await signIn(front, `${front}-sam`);
      const res = await fetch(`${frontUrl(front)}/pivot/whoami`, { headers: { ...forged, cookie: sam } });
      expect(res.status).toBe(200);
      const seen = ((await res.json()) as { headers: Record<string, string> }).headers;
      expect(seen).toMatchObject({ 'remote-user': `${front}-sam`, 'remote-groups': 'staff' });
      // No email: no Remote-Email (nginx drops an empty header, Caddy sends it empty), and never the forged one.
      expect(seen['remote-email'] ?? '', 'Remote-Email').toBe('');
      const anonymousWs = await openWebSocket(wsUrl(front, '/pivot/ws'), forged);
      expect(anonymousWs.ok ? 101 : anonymousWs.status).not.toBe(101);
    });
  });
});
