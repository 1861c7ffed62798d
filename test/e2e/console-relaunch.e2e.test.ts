/// <reference lib="dom" />
// A returning admin, end to end: the console (web mode, a real child process
// with its real bundled server) is quit and started again over the same data
// folder, as `npm start` would be the next morning. With the keychain kept it
// lands signed in; without one it offers that connection's sign-in card with
// the username filled in, never the setup wizard. The bundled server comes
// back on its port, so an invitation link made before still opens. Also: the
// header's Sign out, a link from an earlier launch, the console going away
// under an open page, and switching to a connection that needs a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { api, ensureRendererBuilt, startConsoleWeb, stopConsoleAndClean, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';

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
  let firstLaunch: { url: string; port: number } | null = null;
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'relaunch' });
  const { shown, hasText, main, heading, shots, diagnoseOnFailure } = kit;

  async function launch(opts: { keychain: boolean; port?: number }) {
    web = await startConsoleWeb(dataDir, { keychain: opts.keychain, keyringHome, ...(opts.port ? { port: opts.port } : {}) });
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
    firstLaunch = { url: web.url, port: Number(new URL(web.origin).port) };
    // Set up the way the wizard does (the wizard itself is the other e2e's subject).
    const started = await status<{ url: string }>('startBundledServer');
    serverUrl = started.url;
    profileId = (await status<{ id: string }>('saveProfile', { name: 'This computer', kind: 'bundled' })).id;
    await status('signUpFirstAdmin', { profileId, username: ADMIN.username, password: ADMIN.password });
    const created = await status<{ url: string }>('createInvitation', { note: 'for Ana' });
    invitationUrl = created.url;
    expect(invitationUrl.startsWith(`${serverUrl}/accounts/invite/`)).toBe(true);
    expect((await api('GET', invitationUrl)).status).toBe(200);
    await web.stop();
    expect((await fetch(invitationUrl).catch(() => null))?.status ?? 'nothing answers').toBe('nothing answers');
  }, 60_000);

  it('relaunch with the keychain: lands signed in on the Users manager; the server is back on its port, so the invitation link made before still opens', async () => {
    diagnoseOnFailure('keychain-relaunch');
    await launch({ keychain: true });
    await newPage();
    await page.goto(web.url);
    await shown(heading('Users'), 30_000);
    await shown(main().getByRole('link', { name: ADMIN.username, exact: true }));
    await shown(page.getByRole('button', { name: new RegExp(`^${ADMIN.username}`) }));
    expect(await page.title()).toBe('Users · Graphistry Admin');
    await shots('01-signed-in-after-relaunch');
    const now = await status<{ url: string }>('bundledServerStatus');
    expect(now.url).toBe(serverUrl);
    const invite = await api('GET', invitationUrl);
    expect(invite.status).toBe(200);
    expect(String(invite.body.text)).toContain('You are invited');
  }, 60_000);

  it('a reload keeps working (the token stays with the tab), and a link from an earlier launch gets its own page, not the wizard', async () => {
    diagnoseOnFailure('tokens');
    await page.reload();
    await shown(heading('Users'), 20_000);
    expect(page.url()).not.toContain('token=');

    // The link the first launch printed, opened now: same kind of address, a token this launch never made.
    const stale = `${web.origin}/?token=${new URL(firstLaunch!.url).searchParams.get('token')}`;
    const other = await context.newPage();
    await other.goto(stale);
    await other.getByRole('heading', { name: 'This link is from an earlier launch' }).waitFor();
    expect(await other.locator('#main').innerText()).toContain('npm start');
    expect(await other.getByRole('heading', { name: /Set up/ }).count()).toBe(0);
    await other.screenshot({ path: `test-results/screenshots/relaunch-02-stale-link-1280-light.png` });
    // No token at all (a bookmark of the bare address, in a new tab).
    const bare = await context.newPage();
    await bare.goto(`${web.origin}/#/users`);
    await bare.getByRole('heading', { name: 'Open the console from its link' }).waitFor();
    await Promise.all([other.close(), bare.close()]);
  }, 60_000);

  it("the header's user menu signs out: the key goes, the message says so, and the connection's sign-in card takes the admin back in", async () => {
    diagnoseOnFailure('sign-out');
    await page.getByRole('button', { name: new RegExp(`^${ADMIN.username}`) }).click();
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

  it('relaunch without a keychain: the sign-in card of the last connection, username filled in, never the wizard', async () => {
    diagnoseOnFailure('no-keychain-relaunch');
    await launch({ keychain: false });
    expect(web.keychain).toBe(false);
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

  it("switching, in the header, to a connection that needs a password opens its sign-in right there (no keychain message)", async () => {
    diagnoseOnFailure('switcher');
    // A second connection: the same server by its address, as a remote one.
    await status('saveProfile', { name: 'Lab server', kind: 'remote', url: serverUrl, username: ADMIN.username });
    await page.reload();
    await shown(heading('Users'), 20_000);
    await page.getByLabel('Connection').selectOption({ label: 'Lab server (sign-in needed)' });
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

  it('the pages threw no uncaught errors', () => {
    if (kit.consoleErrors.length) process.stdout.write(`relaunch e2e: console errors in the page:\n  ${kit.consoleErrors.join('\n  ')}\n`);
    expect(kit.pageErrors).toEqual([]);
  });
});
