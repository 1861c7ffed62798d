import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { get, post, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts';
import { cookieNames } from '../../src-server/sessions/session-cookies.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the browser test of single sign-on.\n\n`);

/** "Sign in with <IdP>" in Chromium, against a real server process and a real OpenID Provider on loopback. */
(missing ? describe.skip : describe)('single sign-on in Chromium', () => {
  let server: ServerProcess;
  let idp: TestIdp;
  let browser: Browser;
  let dataDir: string;
  // A service behind the built-in gate: it answers with the identity the gate sent it.
  let tool: Server;

  beforeAll(async () => {
    dataDir = tempDir();
    tool = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`tool sees ${String(req.headers['remote-user'])}`));
    await new Promise<void>((resolve) => tool.listen(0, '127.0.0.1', resolve));
    const toolUrl = `http://127.0.0.1:${(tool.address() as AddressInfo).port}`;
    server = await startServer(['--data-dir', dataDir, '--gate', `tool=/tool/=${toolUrl}`]);
    idp = await startTestIdp({ redirectUris: [`${server.url}/g/sso/oidc/corp/login/callback`] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await server?.stop();
    await new Promise((resolve) => tool?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('from the sign-in page through the IdP to the dashboard, as an account linked by its verified email and then made staff', async () => {
    const admin = await post(`${server.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    expect(admin.status).toBe(201);
    const auth = { authorization: `Bearer ${String(admin.body.token)}` };
    // Not staff yet: a staff or superuser account is never linked by its email alone (an administrator links it).
    const ana = await post(`${server.url}/api/v2/admin/users`, { username: 'ana', password: STRONG_PASSWORD, email: 'ana@corp.example' }, auth);
    expect(ana.status).toBe(201);
    const added = await post(
      `${server.url}/api/v2/admin/sso/providers`,
      { name: 'corp', template: 'keycloak', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, link_verified_email: true },
      auth,
    );
    expect(added.status).toBe(201);
    idp.accounts.set('ana-at-corp', { email: 'ana@corp.example', email_verified: true });

    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    await page.goto('/accounts/login/');
    await page.screenshot({ path: join(screenshotDir(), 'sso-sign-in-page.png') });
    await page.getByRole('link', { name: 'Sign in with corp' }).click();
    // The IdP's own pages (oidc-provider's development login and consent forms).
    await page.waitForURL(`${idp.issuer}/**`);
    await page.locator('input[name="login"]').fill('ana-at-corp');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.waitForURL(`${server.url}/dashboard/`);
    expect(await page.locator('body').innerText()).toContain('ana');
    const cookies = await context.cookies(server.url);
    // The IdP on another port of 127.0.0.1 shares the host's cookie jar (its `_session` too): the server's cookie by its name.
    const session = cookies.find((c) => c.name === cookieNames(false).session);
    expect(session?.httpOnly).toBe(true);
    // Made staff, the same session passes the forward-auth check and the built-in gate as staff.
    const cookie = { cookie: `${session!.name}=${session!.value}` };
    expect((await get(`${server.url}/auth/check?require=staff`, cookie)).status).toBe(403);
    const before = await page.goto('/tool/');
    expect(before?.status()).toBe(403);
    const made = await fetch(`${server.url}/api/v2/admin/users/${String((ana.body.user as { id: number }).id)}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ is_staff: true }),
    });
    expect(made.status).toBe(200);
    const check = await get(`${server.url}/auth/check?require=staff`, cookie);
    expect(check.status).toBe(200);
    const through = await page.goto('/tool/');
    expect(through?.status()).toBe(200);
    expect(await page.locator('body').innerText()).toBe('tool sees ana');
    await context.close();
    expect(server.stderr()).not.toContain(idp.clientSecret);
  });
});
