/// <reference lib="dom" />
// A returning admin, end to end: the console (web mode, a real child process
// with its real bundled server) is quit and started again over the same data
// folder, as `npm start` would be the next morning. It prints the same URL
// (port and token kept in the data folder), so a tab left open reloads onto
// the same screen and connection. With the keychain kept it lands signed in;
// without one it offers that connection's sign-in card with the username
// filled in, never the setup wizard. The bundled server comes back on its
// port, so an invitation link made before still opens. Also: --new-token and
// the old tab's page, the header's Sign out, the console going away under an
// open page, a kept port another program took, --port, and switching to a
// connection that needs a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { api, ensureRendererBuilt, startConsoleWeb, stopConsoleAndClean, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';
import { freePort } from '../helpers/free-port.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console relaunch e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

(missing ? describe.skip : describe)('the console relaunched over the same data folder (web mode, real bundled server)', () => {
  let dataDir: string;
  let keyringHome: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let profileId = '';
  let serverUrl = '';
  let invitationUrl = '';
  let firstLaunch = { url: '', port: 0, token: '' };
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'relaunch' });
  const { shown, hasText, main, heading, nav, shots, diagnoseOnFailure } = kit;

  /** Like `npm start` the next morning: no --port, so the console chooses (the port it kept). */
  async function launch(opts: { keychain: boolean; port?: number; newToken?: boolean }) {
    web = await startConsoleWeb(dataDir, {
      keychain: opts.keychain,
      keyringHome,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      newToken: opts.newToken ?? false,
    });
    process.stdout.write(`relaunch e2e: console-web pid ${web.pid} at ${web.origin} (keychain: ${web.keychain ? 'kept gnome-keyring' : 'none'})\n`);
  }

  async function newPage() {
    await context?.close().catch(() => undefined);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
  }

  async function status<T>(method: string, params: unknown = {}): Promise<T> {
    const r = await web.bridge<T>(method, params);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value;
  }

  beforeAll(async () => {
    process.stdout.write(`relaunch e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    dataDir = tempDir();
    keyringHome = tempDir('gadm-e2e-keyring-');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    if (keyringHome) rmSync(keyringHome, { recursive: true, force: true });
    process.stdout.write(`relaunch e2e: screenshots took ${kit.shotsMs()} ms\n`);
  });

  it('first launch: the bundled server, its administrator and an invitation link, then quit', async () => {
    await launch({ keychain: true });
    expect(web.keychain).toBe(true);
    firstLaunch = { url: web.url, port: web.port, token: web.token };
    // Set up the way the wizard does (the wizard itself is the other e2e's subject).
    const started = await status<{ url: string }>('startBundledServer');
    serverUrl = started.url;
    profileId = (await status<{ id: string }>('saveProfile', { name: 'This computer', kind: 'bundled' })).id;
    await status('signUpFirstAdmin', { profileId, username: ADMIN.username, password: ADMIN.password });
    const { connection } = await status<{ connection: string }>('connectionStatus');
    const created = await status<{ url: string }>('createInvitation', { connection, note: 'for Ana' });
    invitationUrl = created.url;
    expect(invitationUrl.startsWith(`${serverUrl}/accounts/invite/`)).toBe(true);
    expect((await api('GET', invitationUrl)).status).toBe(200);
    await web.stop();
    expect((await fetch(invitationUrl).catch(() => null))?.status ?? 'nothing answers').toBe('nothing answers');
  }, 60_000);

  it('relaunch with the keychain: the same URL; lands signed in on the Users manager; the server is back on its port, so the invitation link made before still opens', async () => {
    diagnoseOnFailure('keychain-relaunch');
    await launch({ keychain: true });
    expect(web.url).toBe(firstLaunch.url);
    await newPage();
    await page.goto(web.url);
    await shown(heading('Users'), 30_000);
    await shown(main().getByRole('link', { name: ADMIN.username, exact: true }));
    await shown(page.getByRole('button', { name: new RegExp(`^Account: ${ADMIN.username}$`) }));
    expect(await page.title()).toBe('Users · Graphistry Admin');
    await shots('01-signed-in-after-relaunch');
    const now = await status<{ url: string }>('bundledServerStatus');
    expect(now.url).toBe(serverUrl);
    const invite = await api('GET', invitationUrl);
    expect(invite.status).toBe(200);
    expect(String(invite.body.text)).toContain('You are invited');
  }, 60_000);

  it('an open tab keeps its place across a relaunch: a reload shows the same screen, address state and connection; a new tab from the printed URL opens there too', async () => {
    diagnoseOnFailure('keeps-place');
    await nav('Audit log');
    await shown(heading('Audit log'));
    await main().getByLabel('Actor', { exact: true }).fill(ADMIN.username);
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/audit?actor=${ADMIN.username}`);
    await hasText(main(), /created an invitation/i);

    // Stopped and started again the way `npm start` is: no --port.
    await web.stop();
    await launch({ keychain: true });
    expect([web.port, web.token]).toEqual([firstLaunch.port, firstLaunch.token]);
    expect(web.output()).not.toMatch(/taken by another program|new token/);
    await page.reload();
    await shown(heading('Audit log'), 30_000);
    expect(new URL(page.url()).hash).toBe(`#/audit?actor=${ADMIN.username}`);
    expect(await main().getByLabel('Actor', { exact: true }).inputValue()).toBe(ADMIN.username);
    await hasText(main(), /created an invitation/i);
    await hasText(page.locator('header'), 'This computer');
    expect(await page.getByRole('heading', { name: /earlier launch|Open the console from its link|Sign in to/ }).count()).toBe(0);
    expect((await status<{ profile: { name: string } | null }>('connectionStatus')).profile?.name).toBe('This computer');
    await shots('02-same-place-after-relaunch', [1280]);

    // The printed URL has no screen in it: a new tab opens on the one the admin was on.
    const fresh = await context.newPage();
    kit.watch(fresh);
    await fresh.goto(web.url);
    await fresh.getByRole('heading', { name: 'Audit log', exact: true }).waitFor({ timeout: 30_000 });
    expect(new URL(fresh.url()).hash).toBe(`#/audit?actor=${ADMIN.username}`);
    expect(fresh.url()).not.toContain('token=');
    await fresh.close();
  }, 90_000);

  it('--new-token: same port, a new token; the old tab gets its own page on reload (not the wizard), a tab without a token too, and the new URL works', async () => {
    diagnoseOnFailure('tokens');
    await web.stop();
    await launch({ keychain: true, newToken: true });
    expect(web.port).toBe(firstLaunch.port);
    expect(web.token).not.toBe(firstLaunch.token);
    expect(web.output()).toMatch(/A new token, as asked \(--new-token\)/);
    await page.reload();
    await page.getByRole('heading', { name: 'This link is from an earlier launch' }).waitFor();
    expect(await main().innerText()).toContain('npm start');
    expect(await page.getByRole('heading', { name: /Set up/ }).count()).toBe(0);
    await page.screenshot({ path: `test-results/screenshots/relaunch-02b-old-tab-after-new-token-1280-light.png` });
    // No token at all (a bookmark of the bare address, in a new tab).
    const bare = await context.newPage();
    await bare.goto(`${web.origin}/#/users`);
    await bare.getByRole('heading', { name: 'Open the console from its link' }).waitFor();
    await bare.close();
    // The URL this launch printed takes the tab back in.
    await page.goto(web.url);
    await shown(heading('Audit log'), 30_000);
    await nav('Users');
    await shown(heading('Users'));
    expect(page.url()).not.toContain('token=');
  }, 60_000);

  it("the header's user menu signs out: the key goes, the message says so, and the connection's sign-in card takes the admin back in", async () => {
    diagnoseOnFailure('sign-out');
    await page.getByRole('button', { name: new RegExp(`^Account: ${ADMIN.username}$`) }).click();
    await shown(page.getByRole('menu'));
    await shots('03-user-menu', [1280]);
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await shown(heading('Sign in to This computer'));
    await hasText(page.locator('.toasts'), /revoked on the server and removed from the keychain/);
    expect((await status<Array<{ has_credential: boolean }>>('listProfiles'))[0]!.has_credential).toBe(false);
    const username = main().getByLabel('Username', { exact: true });
    expect(await username.inputValue()).toBe(ADMIN.username);
    await shots('04-sign-in-card-after-sign-out');
    await main().getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await main().getByRole('button', { name: 'Sign in' }).click();
    await shown(heading('Users'), 20_000);
  }, 60_000);

  it('when the console stops answering, the header says offline', async () => {
    diagnoseOnFailure('offline');
    await web.stop();
    // Any call (here: opening another screen) finds nobody there; the heartbeat would within seconds anyway.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Audit log' }).click();
    await hasText(page.locator('header'), /Offline: the console is not answering/, 15_000);
    await shots('05-offline', [1280, 900]);
  }, 60_000);

  it('relaunch without a keychain, its kept port taken by another program: a free port, said plainly; the sign-in card of the last connection, username filled in, never the wizard', async () => {
    diagnoseOnFailure('no-keychain-relaunch');
    const holder: Server = createServer();
    // The old tab's heartbeat keeps calling its port, held here by a program that never answers: those connections
    // are ended before close(), which would otherwise wait for them for ever.
    const held = new Set<Socket>();
    holder.on('connection', (socket: Socket) => void held.add(socket));
    await new Promise<void>((r) => holder.listen(firstLaunch.port, '127.0.0.1', r));
    try {
      await launch({ keychain: false });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => holder.close(r));
    }
    expect(web.keychain).toBe(false);
    expect(web.port).not.toBe(firstLaunch.port);
    expect(web.token).not.toBe(firstLaunch.token);
    expect(web.output()).toContain(`Port ${firstLaunch.port}, this console's port until now, is taken by another program: serving on port ${web.port} instead`);
    await newPage();
    await page.goto(web.url);
    await shown(heading('Sign in to This computer'), 30_000);
    expect(await page.getByRole('heading', { name: /Set up/ }).count()).toBe(0);
    expect(await main().getByLabel('Username', { exact: true }).inputValue()).toBe(ADMIN.username);
    await hasText(main(), /no OS keychain/);
    expect(await page.title()).toBe('Sign in to This computer · Graphistry Admin');
    await shots('06-sign-in-card-no-keychain');
    await main().getByLabel('Password', { exact: true }).fill('not the password');
    await main().getByRole('button', { name: 'Sign in' }).click();
    await hasText(main(), /Wrong username or password/);
    await main().getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await main().getByRole('button', { name: 'Sign in' }).click();
    await shown(heading('Users'), 20_000);
  }, 60_000);

  it('switching, in the header, to a connection that needs a password opens its sign-in right there (no keychain message)', async () => {
    diagnoseOnFailure('switcher');
    // A second connection: the same server by its address, as a remote one.
    await status('saveProfile', { name: 'Lab server', kind: 'remote', url: serverUrl, username: ADMIN.username });
    await page.reload();
    await shown(heading('Users'), 20_000);
    await page.getByRole('button', { name: /^Connection: / }).click();
    await page.getByRole('menuitemradio', { name: 'Lab server (sign-in needed)' }).click();
    const popover = page.getByRole('dialog', { name: 'Connect to Lab server' });
    await shown(popover);
    const text = await popover.innerText();
    expect(text).not.toMatch(/D-Bus|org\.freedesktop|Secret Service|Reason:/);
    expect(await popover.getByLabel('Username', { exact: true }).inputValue()).toBe(ADMIN.username);
    await shots('07-switcher-sign-in');
    await popover.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await popover.getByRole('button', { name: 'Sign in' }).click();
    await hasText(page.locator('header'), /Online/);
    await expect.poll(async () => (await status<{ profile: { name: string } | null }>('connectionStatus')).profile?.name).toBe('Lab server');
  }, 60_000);

  it('--port N is served and kept: the next launch without --port prints the same URL', async () => {
    diagnoseOnFailure('port-flag');
    const n = await freePort();
    await web.stop();
    await launch({ keychain: false, port: n });
    expect(web.port).toBe(n);
    const asked = web.url;
    await web.stop();
    await launch({ keychain: false });
    expect(web.url).toBe(asked);
    await page.goto(web.url);
    // No keychain: the last connection's sign-in card (which one the switcher test decides).
    await shown(heading(/^Sign in to /), 30_000);
    expect(new URL(page.url()).port).toBe(String(n));
  }, 60_000);

  it('the pages threw no uncaught errors', () => {
    if (kit.consoleErrors.length) process.stdout.write(`relaunch e2e: console errors in the page:\n  ${kit.consoleErrors.join('\n  ')}\n`);
    expect(kit.pageErrors).toEqual([]);
  });
});
