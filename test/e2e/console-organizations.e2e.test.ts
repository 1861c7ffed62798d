/// <reference lib="dom" />
// Organizations in the console, end to end: web mode as a real child process,
// its real bundled server, the built renderer in Debian's Chromium. An admin
// creates an organization, creates a user in it (whose first key is shown
// once), adds an existing user, makes them its admin, and removes the first
// one after confirming; the server holds exactly that afterwards. Each screen
// is photographed at 1280 and 900 px, light and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { ensureRendererBuilt, startConsoleWeb, stopConsoleAndClean, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console organizations e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const SHOT_WIDTHS = [1280, 900] as const;

interface Member {
  user_id: number;
  username: string;
  role: string;
}

(missing ? describe.skip : describe)('console organizations in Chromium (web mode, real bundled server)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connection = '';
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'orgs' });
  const { shown, gone, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`organizations e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    dataDir = tempDir();
    [web, browser] = await Promise.all([startConsoleWeb(dataDir), launchChromium()]);
    // The bundled server and its first administrator, through the bridge (the wizard has its own e2e).
    const started = await web.bridge('startBundledServer');
    if (!started.ok) throw new Error(`startBundledServer: ${JSON.stringify(started)}`);
    const saved = await web.bridge<{ id: string }>('saveProfile', { name: 'Bundled server', kind: 'bundled' });
    if (!saved.ok) throw new Error(`saveProfile: ${JSON.stringify(saved)}`);
    const signedUp = await web.bridge<{ connection: string }>('signUpFirstAdmin', { profileId: saved.value.id, ...ADMIN });
    if (!signedUp.ok) throw new Error(`signUpFirstAdmin: ${JSON.stringify(signedUp)}`);
    connection = signedUp.value.connection;
    const ben = await web.bridge('createUser', { connection, username: 'ben', password: 'ben keeps a long passphrase' });
    if (!ben.ok) throw new Error(`createUser ben: ${JSON.stringify(ben)}`);
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
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`organizations e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  const members = async (): Promise<Member[]> => {
    const r = await web.bridge<{ results: Member[] }>('listOrgMembers', { connection, org: 'acme' });
    if (!r.ok) throw new Error(`listOrgMembers: ${JSON.stringify(r)}`);
    return r.value.results.map(({ user_id, username, role }) => ({ user_id, username, role })).sort((a, b) => a.username.localeCompare(b.username));
  };
  /** The screen from its top, without the toasts of the steps before (they would cover the table in the pictures). */
  async function settle() {
    for (const b of await page.locator('.toasts button[aria-label="Dismiss"]').all()) await b.click().catch(() => undefined);
    await main().evaluate((el) => el.scrollTo({ top: 0 }));
  }
  const row = (username: string) => main().locator('table.org-members-table tbody tr', { has: page.getByRole('link', { name: username, exact: true }) });

  it('creates organization acme from the Organizations screen, its id stored lower-case', async () => {
    diagnoseOnFailure('create-org');
    await shown(heading('Users'), 30_000);
    await nav('Organizations');
    await shown(heading('Organizations'));
    await shown(main().getByText('No organizations yet'));
    await main().getByRole('button', { name: 'Create organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create organization' });
    await shown(dialog);
    await dialog.getByLabel('Id').fill('Acme');
    await hasText(dialog, 'Stored as acme');
    await dialog.getByLabel('Name').fill('Acme Corp');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await shown(heading('Acme Corp'));
    await hasText(main(), /Id acme/);
    expect(await members()).toEqual([expect.objectContaining({ username: 'admin', role: 'admin' })]);
  }, 60_000);

  it('creates user ana in it: her first key is shown once, and she is a member', async () => {
    diagnoseOnFailure('create-user');
    const card = main().getByRole('region', { name: 'Create user here' });
    await card.getByLabel('Username').fill('ana');
    await card.getByLabel('Password', { exact: true }).fill('ana keeps a long passphrase');
    await card.getByLabel('Password again').fill('ana keeps a long passphrase');
    await card.getByRole('button', { name: 'Create user' }).click();
    await shown(main().getByText('ana’s first API key: copy it now, it is shown once.'));
    await shown(row('ana'));
    await hasText(row('ana'), 'Member');
    expect((await members()).map((m) => [m.username, m.role])).toEqual([
      ['admin', 'admin'],
      ['ana', 'member'],
    ]);
    await settle();
    await shots('org-detail', SHOT_WIDTHS);
    await main().getByRole('button', { name: 'Dismiss' }).click();
  }, 60_000);

  it('adds existing user ben and makes him its admin', async () => {
    diagnoseOnFailure('add-ben');
    const add = main().getByRole('form', { name: 'Add existing user' });
    await add.getByRole('textbox').fill('ben');
    await add.getByRole('button', { name: 'Add' }).click();
    await shown(row('ben'));
    await row('ben').getByRole('button', { name: 'Make ben admin' }).click();
    await hasText(row('ben'), 'Admin');
    await shown(row('ben').getByRole('button', { name: 'Make ben member' }));
    expect((await members()).map((m) => [m.username, m.role])).toEqual([
      ['admin', 'admin'],
      ['ana', 'member'],
      ['ben', 'admin'],
    ]);
  }, 60_000);

  it('removes ana after confirming; her account stays', async () => {
    diagnoseOnFailure('remove-ana');
    await row('ana').getByRole('button', { name: 'Remove ana' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove ana from Acme Corp?' });
    await shown(dialog);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await gone(row('ana'));
    expect((await members()).map((m) => [m.username, m.role])).toEqual([
      ['admin', 'admin'],
      ['ben', 'admin'],
    ]);
    const ana = await web.bridge<{ results: Array<{ username: string }> }>('listUsers', { connection, search: 'ana' });
    expect(ana.ok && ana.value.results.map((u) => u.username)).toEqual(['ana']);
    await settle();
    await shots('org-members', SHOT_WIDTHS);
  }, 60_000);

  it('lists acme with its counts; the user editor shows ben’s membership', async () => {
    diagnoseOnFailure('list');
    await nav('Organizations');
    await shown(heading('Organizations'));
    const acme = main().locator('table.orgs-table tbody tr').first();
    await hasText(acme, /acme\s+Acme Corp\s+2\s+2/);
    await settle();
    await shots('orgs-list', SHOT_WIDTHS);
    const ben = await web.bridge<{ results: Array<{ id: number; username: string }> }>('listUsers', { connection, search: 'ben' });
    if (!ben.ok) throw new Error(JSON.stringify(ben));
    await page.evaluate((id) => (location.hash = `#/users/${id}`), ben.value.results.find((u) => u.username === 'ben')!.id);
    const section = main().getByRole('region', { name: 'Organizations' });
    await shown(section.getByRole('link', { name: 'Acme Corp' }));
    await hasText(section, 'Admin');
  }, 60_000);

  it('the pages threw no uncaught errors', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
