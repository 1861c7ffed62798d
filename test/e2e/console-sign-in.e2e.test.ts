/// <reference lib="dom" />
// How users sign in, in the console end to end: web mode as a real child
// process, its real bundled server, a real OpenID Provider on loopback and
// the built renderer in Debian's Chromium. The admin turns on accounts for
// SSO users in the Registration card (and Undo puts it back, alone); a person
// signs in through the IdP and gets an SSO-only account; the Users list says
// "SSO via corp" for her and "Password" for the others, and its Sign-in
// filter narrows the list to her. Photographed at 1280 and 900 px, light and
// dark; axe checks the Users list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SettingView } from '../../src-shared/domain.ts';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit, HEIGHT } from '../helpers/console-kit.ts';
import { api, ensureRendererBuilt, jwtFor, startBundledConsole, stopConsoleAndClean, type BundledConsole, type ConsoleWeb } from '../helpers/console-web.ts';
import { CookieJar, signInAtIdp, startTestIdp, type TestIdp } from '../helpers/test-idp.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console sign-in method e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const SHOT_WIDTHS = [1280, 900] as const;

(missing ? describe.skip : describe)('console: how users sign in, in Chromium (web mode, real bundled server, real IdP)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idp: TestIdp;
  let connection = '';
  let serverUrl = '';
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'signin' });
  const { shown, gone, checked, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`sign-in e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    let must: BundledConsole['must'];
    [{ web, dataDir, connection, serverUrl, must }, browser] = await Promise.all([startBundledConsole(ADMIN), launchChromium()]);
    await must('createUser', { connection, username: 'bob', password: 'bob keeps a long passphrase' });
    idp = await startTestIdp({ redirectUris: [`${serverUrl}/g/sso/oidc/corp/login/callback`] });
    // The IdP is configured on the server (the console's Single sign-on screen is another test's).
    const jwt = await jwtFor(serverUrl, ADMIN.username, ADMIN.password);
    const added = await api('POST', `${serverUrl}/api/v2/admin/sso/providers`, {
      body: { name: 'corp', template: 'keycloak', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret },
      headers: { authorization: `Bearer ${jwt}` },
    });
    if (added.status !== 201) throw new Error(`add IdP: ${added.status} ${JSON.stringify(added.body)}`);
    context = await browser.newContext({ viewport: { width: 1280, height: HEIGHT }, reducedMotion: 'reduce' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(`${web.url}#/settings`);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await idp?.close();
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`sign-in e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  const serverSettings = async () => {
    const r = await web.bridge<SettingView[]>('getSettings', { connection });
    if (!r.ok) throw new Error(`getSettings: ${JSON.stringify(r)}`);
    return Object.fromEntries(r.value.map((s) => [s.key, s.value]));
  };
  const row = (username: string) => main().locator('table.users-table tbody tr', { has: page.getByRole('link', { name: username, exact: true }) });
  const listed = async () => (await main().locator('table.users-table tbody tr a.row-link').allInnerTexts()).sort();

  it('turns on accounts for SSO users in the Registration card; Undo puts back that setting alone', async () => {
    diagnoseOnFailure('sso-signup-switch');
    await shown(heading('Registration & settings'), 30_000);
    const card = main().getByRole('region', { name: 'Registration' });
    const sso = card.getByRole('switch', { name: 'Accounts for single sign-on users' });
    await checked(sso, false);
    await hasText(card, 'get an account on their first sign-in');
    // Not listed a second time among the server's other settings.
    expect(await main().getByText('IS_SSO_SIGNUP', { exact: true }).count()).toBe(0);
    const before = await serverSettings();
    await sso.click();
    await expect.poll(async () => (await serverSettings()).IS_SSO_SIGNUP, { timeout: 10_000 }).toBe(true);
    expect(await serverSettings()).toEqual({ ...before, IS_SSO_SIGNUP: true });
    const toast = page.locator('.toasts').getByText('SSO users now get an account on first sign-in');
    await shown(toast);
    await page.locator('.toasts').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await serverSettings()).IS_SSO_SIGNUP, { timeout: 10_000 }).toBe(false);
    expect(await serverSettings()).toEqual(before);
    await checked(sso, false);
    await sso.click();
    await expect.poll(async () => (await serverSettings()).IS_SSO_SIGNUP, { timeout: 10_000 }).toBe(true);
    await checked(sso, true);
    await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shots('settings', SHOT_WIDTHS);
  }, 60_000);

  it('shows an SSO-only user as "SSO via corp" and filters the list to her', async () => {
    diagnoseOnFailure('users-sign-in');
    idp.accounts.set('ana-at-corp', { preferred_username: 'ana', email: 'ana@corp.example', email_verified: true });
    const { res } = await signInAtIdp(new CookieJar(), `${serverUrl}/g/sso/oidc/corp/login/`, 'ana-at-corp', serverUrl);
    expect(res.status).toBe(303);
    await nav('Users');
    await shown(heading('Users'));
    await shown(row('ana'));
    await hasText(row('ana'), 'SSO via corp');
    await hasText(row('bob'), 'Password');
    await hasText(row('admin'), 'Password');
    expect(await listed()).toEqual(['admin', 'ana', 'bob']);
    // The settings' toast would cover the table in the pictures.
    const dismiss = page.locator('.toasts button[aria-label="Dismiss"]');
    while ((await dismiss.count()) > 0) await dismiss.first().click();
    await gone(page.locator('.toasts .toast'));
    await shots('users', SHOT_WIDTHS);
    const filter = main().getByLabel('Sign-in', { exact: true });
    await filter.selectOption({ label: 'SSO' });
    await expect.poll(listed, { timeout: 10_000 }).toEqual(['ana']);
    expect(page.url()).toContain('signin=sso');
    await shots('users-sso-only', SHOT_WIDTHS);
    await filter.selectOption({ label: 'Password' });
    await expect.poll(listed, { timeout: 10_000 }).toEqual(['admin', 'bob']);
    const found = await kit.axeSerious('users', SHOT_WIDTHS);
    expect(found).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
