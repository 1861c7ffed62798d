/// <reference lib="dom" />
// Single sign-on in the console, end to end: web mode as a real child
// process, its real bundled server, a real OpenID Provider on loopback
// (oidc-provider), the built renderer in Debian's Chromium. The admin adds an
// IdP from the Keycloak template on the Single sign-on screen (its redirect URI
// shown before it is added), tests its connection, and in a second browser a
// user signs in through it on the server's own sign-in page and lands on the
// dashboard; then the admin disables and removes it after confirming. The
// client secret is then looked for in the server's log, the console's output,
// the audit rows and the page (its markup and every field's value): nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { ensureRendererBuilt, startBundledConsole, stopConsoleAndClean, type BundledConsole, type ConsoleWeb } from '../helpers/console-web.ts';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console single sign-on e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const ANA = { username: 'ana', password: 'ana keeps a long passphrase', email: 'ana@corp.example' };
const SECRET = `console-e2e-client-secret-${Math.random().toString(36).slice(2, 12)}`;
const REPLACEMENT = `${SECRET}-replaced`;
const SHOT_WIDTHS = [1280, 900] as const;

(missing ? describe.skip : describe)('console single sign-on in Chromium (web mode, real bundled server, real OIDC provider)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idp: TestIdp;
  let connection = '';
  let serverUrl = '';
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'sso' });
  const { shown, gone, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`sso e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    let must: BundledConsole['must'];
    [{ web, dataDir, connection, serverUrl, must }, browser] = await Promise.all([startBundledConsole(ADMIN), launchChromium()]);
    // Ana has an account with her work email; her first sign-in at the IdP links to it by that verified email.
    // Not staff: a verified email never takes over a staff or superuser account (SSO_LINK_ADMIN_REQUIRED).
    await must('createUser', { connection, ...ANA });
    idp = await startTestIdp({ redirectUris: [`${serverUrl}/g/sso/oidc/corp/login/callback`], clientSecret: SECRET });
    idp.accounts.set('ana-at-corp', { email: ANA.email, email_verified: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.origin });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(`${web.url}#/users`);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await idp?.close();
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`sso e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  const idpItem = () => main().getByRole('listitem', { name: 'IdP corp' });
  const providers = async () => {
    const r = await web.bridge<{ results: Array<Record<string, unknown>>; base_url: string }>('listSsoProviders', { connection });
    if (!r.ok) throw new Error(`listSsoProviders: ${JSON.stringify(r)}`);
    return r.value;
  };
  async function settle() {
    for (const b of await page.locator('.toasts button[aria-label="Dismiss"]').all()) await b.click({ timeout: 1_000 }).catch(() => undefined);
    await main().evaluate((el) => el.scrollTo({ top: 0 }));
  }

  it('adds IdP corp from the Keycloak template: the redirect URI is shown (and copied) before it is added; the secret field is emptied', async () => {
    diagnoseOnFailure('add');
    await shown(heading('Users'), 30_000);
    await nav('Single sign-on');
    await shown(heading('Single sign-on'));
    await shown(main().getByText('No IdP yet.'));
    await main().getByRole('button', { name: 'Add IdP' }).click();
    const form = main().getByRole('form', { name: 'Add an IdP' });
    await shown(form);
    expect(await form.getByLabel('Template').inputValue()).toBe('keycloak');
    await form.getByLabel('Name').fill('Corp');
    const redirect = `${serverUrl}/g/sso/oidc/corp/login/callback`;
    await hasText(form.locator('.sso-redirect code'), redirect);
    await form.getByRole('button', { name: 'Copy the redirect URI' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toBe(redirect);
    await form.getByLabel('Issuer (host URL)').fill(idp.issuer);
    await form.getByLabel('Client ID').fill(idp.clientId);
    await form.getByLabel('Client secret').fill(SECRET);
    // The control for the search at the end: while typed, the secret is in the page (a field's value).
    expect(await page.evaluate(() => [...document.querySelectorAll('input')].map((el) => el.value))).toContain(SECRET);
    await form.getByLabel('Link existing accounts by verified email').check();
    await settle();
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shots('add-form', SHOT_WIDTHS);
    // The picture above has the secret typed in (as dots); the form is sent and the field emptied at once.
    await form.getByRole('button', { name: 'Add IdP' }).click();
    await shown(idpItem());
    await gone(form);
    await hasText(idpItem(), 'Enabled');
    await hasText(idpItem(), 'Keycloak');
    await hasText(idpItem(), idp.issuer);
    await hasText(idpItem().locator('.sso-redirect code'), redirect);
    const listed = await providers();
    expect(listed.base_url).toBe(serverUrl);
    expect(listed.results).toEqual([
      expect.objectContaining({ name: 'corp', template: 'keycloak', issuer: idp.issuer, has_client_secret: true, enabled: true, link_verified_email: true }),
    ]);
  }, 90_000);

  it('Test connection reads discovery and the key set and builds the authorization URL; pictures at 1280 and 900 px, light and dark', async () => {
    diagnoseOnFailure('test');
    await idpItem().getByRole('button', { name: 'Test connection of corp' }).click();
    const outcome = idpItem().locator('.sso-test');
    await shown(outcome);
    await hasText(outcome, 'Connection works.');
    await hasText(outcome, '1 signing key fetched (RS256');
    await hasText(outcome, `${idp.issuer}/auth?`);
    await hasText(outcome, encodeURIComponent(`${serverUrl}/g/sso/oidc/corp/login/callback`));
    await settle();
    await shots('screen', SHOT_WIDTHS);
  }, 60_000);

  it('ana signs in through it in a second browser: "Sign in with corp" on the server’s sign-in page, the IdP, the dashboard', async () => {
    diagnoseOnFailure('sign-in');
    const second = await browser.newContext({ baseURL: serverUrl, viewport: { width: 1100, height: 800 } });
    try {
      const p2 = await second.newPage();
      await p2.goto('/accounts/login/');
      await p2.getByRole('link', { name: 'Sign in with corp' }).click();
      await p2.waitForURL(`${idp.issuer}/**`);
      await p2.locator('input[name="login"]').fill('ana-at-corp');
      await p2.locator('input[name="password"]').fill('anything');
      await p2.locator('button[type="submit"]').click();
      await p2.locator('button[type="submit"]', { hasText: 'Continue' }).click();
      await p2.waitForURL(`${serverUrl}/dashboard/`);
      await hasText(p2.locator('body'), ANA.username);
    } finally {
      await second.close();
    }
    // The console's audit log says it in words.
    await nav('Audit log');
    await shown(heading('Audit log'));
    await hasText(main(), 'ana signed in through corp');
    await hasText(main(), 'admin added single sign-on IdP corp (keycloak)');
  }, 90_000);

  it('edits it: a replacement secret is typed into an empty field, sent once, and the field is gone after Save', async () => {
    diagnoseOnFailure('edit');
    await nav('Single sign-on');
    await shown(idpItem());
    await idpItem().getByRole('button', { name: 'Edit corp' }).click();
    const form = main().getByRole('form', { name: 'Edit corp' });
    await shown(form);
    const replace = form.getByLabel('Replace client secret');
    expect(await replace.inputValue()).toBe('');
    await hasText(form, 'A secret is stored and never shown.');
    await replace.fill(REPLACEMENT);
    await form.getByRole('button', { name: 'Save' }).click();
    await gone(form);
    expect((await providers()).results).toEqual([expect.objectContaining({ name: 'corp', has_client_secret: true, link_verified_email: true })]);
    await nav('Audit log');
    await hasText(main(), 'admin changed single sign-on IdP corp: replaced its client secret');
  }, 60_000);

  it('removes the stored secret (a public client) only when asked, and a typed secret cannot be sent with it', async () => {
    diagnoseOnFailure('drop-secret');
    await nav('Single sign-on');
    await shown(idpItem());
    await idpItem().getByRole('button', { name: 'Edit corp' }).click();
    const form = main().getByRole('form', { name: 'Edit corp' });
    await shown(form);
    const drop = form.getByLabel('Remove the stored client secret');
    await form.getByLabel('Replace client secret').fill('typed');
    expect(await drop.isDisabled()).toBe(true);
    await form.getByLabel('Replace client secret').fill('');
    await drop.check();
    expect(await form.getByLabel('Replace client secret').isDisabled()).toBe(true);
    await hasText(form, 'The stored secret is removed when you save.');
    await form.evaluate((f) => f.scrollIntoView({ block: 'start' }));
    await shots('edit-form-remove-secret', SHOT_WIDTHS);
    expect(await kit.axeSerious('sso edit form', SHOT_WIDTHS)).toEqual([]);
    await form.getByRole('button', { name: 'Save' }).click();
    await gone(form);
    expect((await providers()).results).toEqual([expect.objectContaining({ name: 'corp', has_client_secret: false })]);
    await hasText(idpItem(), 'no client secret (public client)');
  }, 60_000);

  it('disables it, then removes it after confirming', async () => {
    diagnoseOnFailure('remove');
    await nav('Single sign-on');
    await shown(idpItem());
    await idpItem().getByRole('button', { name: 'Disable corp' }).click();
    await hasText(idpItem(), 'Disabled');
    expect((await providers()).results).toEqual([expect.objectContaining({ name: 'corp', enabled: false })]);
    await idpItem().getByRole('button', { name: 'Remove corp' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove corp?' });
    await shown(dialog);
    await hasText(dialog, '“Sign in with corp” leaves the sign-in page');
    await dialog.getByRole('button', { name: 'Remove IdP' }).click();
    await gone(dialog);
    await shown(main().getByText('No IdP yet.'));
    expect((await providers()).results).toEqual([]);
  }, 60_000);

  it('an organization’s page has its own Single sign-on card', async () => {
    diagnoseOnFailure('org-card');
    const made = await web.bridge('createOrganization', { connection, slug: 'acme', name: 'Acme Corp' });
    if (!made.ok) throw new Error(`createOrganization: ${JSON.stringify(made)}`);
    await page.evaluate(() => (location.hash = '#/organizations/acme'));
    await shown(heading('Acme Corp'));
    const card = main().getByRole('region', { name: 'Single sign-on' });
    await shown(card);
    await hasText(card, 'No IdP yet.');
    await card.getByRole('button', { name: 'Add IdP' }).click();
    await card.getByLabel('Name').fill('okta-main');
    await hasText(card.locator('.sso-redirect code'), `${serverUrl}/o/acme/sso/oidc/okta-main/login/callback`);
    await card.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('the client secret is nowhere: not in the server’s log, the console’s output, the audit rows or the page', async () => {
    diagnoseOnFailure('secret');
    const log = await web.bridge<{ lines: string[] }>('bundledServerLog', { lines: 5000 });
    if (!log.ok) throw new Error(`bundledServerLog: ${JSON.stringify(log)}`);
    expect(log.value.lines.length).toBeGreaterThan(10);
    expect(log.value.lines.join('\n')).not.toContain(SECRET);
    // REPLACEMENT starts with SECRET: every check below covers both.
    expect(REPLACEMENT.startsWith(SECRET)).toBe(true);
    expect(web.output()).not.toContain(SECRET);
    const audit = await web.bridge<{ results: unknown[] }>('listAudit', { connection, page_size: 500 });
    if (!audit.ok) throw new Error(`listAudit: ${JSON.stringify(audit)}`);
    const rows = JSON.stringify(audit.value.results);
    expect(rows).toContain('sso.provider.create');
    expect(rows).not.toContain(SECRET);
    // The page: its markup, every field's value, and what the renderer keeps in storage.
    const seen = await page.evaluate(() =>
      [
        document.documentElement.outerHTML,
        ...[...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value),
        JSON.stringify({ ...localStorage }),
        JSON.stringify({ ...sessionStorage }),
      ].join('\n'),
    );
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen).not.toContain(SECRET);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
