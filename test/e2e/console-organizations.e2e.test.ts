/// <reference lib="dom" />
// Organizations in the console, end to end: web mode as a real child process,
// its real bundled server, the built renderer in Debian's Chromium. An admin
// creates an organization, creates a user in it (whose first key is shown
// once), invites an existing user by link (shown once, copied), who opens it
// in a second browser, signs in on the server's page and joins; the admin
// sees them after a reload and makes them its admin, revokes a second link
// after confirming, adds another existing user, makes them admin, and
// removes the first one after confirming; the server holds exactly that
// afterwards. Each screen is photographed at 1280 and 900 px, light and
// dark, and axe checks the organization page with a new link shown.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit, HEIGHT } from '../helpers/console-kit.ts';
import { ensureRendererBuilt, startBundledConsole, stopConsoleAndClean, type BundledConsole, type ConsoleWeb } from '../helpers/console-web.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console organizations e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
/** An existing user, made beforehand, who joins by an invitation link. */
const CLEO = { username: 'cleo', password: 'cleo keeps a long passphrase' };
const SHOT_WIDTHS = [1280, 900] as const;
/** axe-core's own bundle, evaluated in the page (the renderer's CSP allows no inline script, DevTools evaluation is exempt). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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
  let serverUrl = '';
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'orgs' });
  const { shown, gone, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`organizations e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    let must: BundledConsole['must'];
    [{ web, dataDir, connection, serverUrl, must }, browser] = await Promise.all([startBundledConsole(ADMIN), launchChromium()]);
    await must('createUser', { connection, username: 'ben', password: 'ben keeps a long passphrase' });
    await must('createUser', { connection, ...CLEO });
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
    // A toast may leave on its own meanwhile: a short wait for each, not the default 15 s.
    await kit.dismissToasts();
    await main().evaluate((el) => el.scrollTo({ top: 0 }));
  }
  const row = (username: string) => main().locator('table.org-members-table tbody tr', { has: page.getByRole('link', { name: username, exact: true }) });
  const inviteCard = () => main().getByRole('region', { name: 'Invite' });
  const pendingRows = () => inviteCard().getByRole('table', { name: 'Pending invitations' }).locator('tbody tr');
  const pendingInvitations = async () => {
    const r = await web.bridge<Array<{ note: string | null; role: string; status: string; used_by_username: string | null }>>('listOrgInvitations', {
      connection,
      org: 'acme',
      status: 'all',
    });
    if (!r.ok) throw new Error(`listOrgInvitations: ${JSON.stringify(r)}`);
    return r.value.map(({ note, role, status, used_by_username }) => ({ note, role, status, used_by_username }));
  };
  /** The Invite card at the top of the pane, at each width (a narrower window lays the page out anew), light and dark. */
  async function inviteShots(name: string) {
    await kit.dismissToasts();
    for (const width of SHOT_WIDTHS) {
      await page.setViewportSize({ width, height: HEIGHT });
      await inviteCard().evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await shots(name, [width]);
    }
  }
  /** axe on the page as it is, light and dark, at 1280 and 900 px: the serious and critical findings, naming the elements. */
  async function axeSerious(): Promise<string[]> {
    const found: string[] = [];
    try {
      for (const width of SHOT_WIDTHS) {
        await page.setViewportSize({ width, height: HEIGHT });
        for (const theme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: theme });
          if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
          const violations = await page.evaluate(async () => {
            const a = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe;
            const r = await a.run(document, { resultTypes: ['violations'] });
            return r.violations.map((v) => ({
              id: v.id,
              impact: v.impact ?? null,
              help: v.help,
              nodes: v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`),
            }));
          });
          process.stdout.write(`A11Y org page ${theme} ${width}: ${violations.map((v) => `${v.id}(${v.impact})×${v.nodes.length}`).join(', ') || 'none'}\n`);
          for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
            for (const n of v.nodes.slice(0, 6)) found.push(`${theme} ${width} ${v.id} (${v.help}): ${n}`);
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: SHOT_WIDTHS[0], height: HEIGHT });
    }
    return found;
  }

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

  let link = '';

  /**
   * Cleo, in her own browser: the link's page offers sign-up, or sign-in to
   * join with the account she has; signed in, she is back on the link and
   * presses Join, and lands on the organization's page, told she joined.
   */
  async function joinByPage(p2: Page) {
    const opened = await p2.goto(link);
    expect(opened?.status()).toBe(200);
    await shown(p2.getByRole('heading', { name: 'Join Acme Corp', exact: true }));
    await p2.getByRole('link', { name: 'Sign in', exact: true }).last().click();
    await p2.getByLabel('Username').fill(CLEO.username);
    await p2.getByLabel('Password', { exact: true }).fill(CLEO.password);
    await p2.getByRole('button', { name: /sign in/i }).click();
    await shown(p2.getByRole('heading', { name: /^Join Acme Corp as member/ }));
    expect(new URL(p2.url()).pathname).toBe(new URL(link).pathname);
    await p2.getByRole('button', { name: 'Join', exact: true }).click();
    await hasText(p2.locator('body'), 'You joined “Acme Corp” as a member.');
    expect(new URL(p2.url()).pathname).toBe('/dashboard/organizations/acme/');
  }

  it('invites existing user cleo by link: shown once with Copy (focused), listed pending; pictures; axe finds nothing serious', async () => {
    diagnoseOnFailure('invite');
    const card = inviteCard();
    await shown(card);
    await shown(card.getByText('No pending invitations'));
    await card.getByLabel('Role').selectOption('member');
    await card.getByLabel('Expires in').selectOption({ label: '7 days' });
    await card.getByLabel('Note').fill('for Cleo');
    await card.getByRole('button', { name: 'Create link' }).click();
    const once = card.getByRole('region', { name: 'New invitation link' });
    await shown(once);
    await hasText(once, 'Copy this link now: it is shown once.');
    await hasText(once, 'joins Acme Corp as a member');
    link = (await once.locator('code').innerText()).trim();
    expect(link).toMatch(new RegExp(`^${serverUrl.replace(/[.]/g, '\\.')}/accounts/invite/[\\w-]+/$`));
    // The link opens only on this computer (no public URL is set): the card says so, and where to set one.
    await hasText(once, 'Set the public URL in Settings');
    // Focus moves to Copy link, so the keyboard copies at once.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Copy link');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toBe(link);
    await shown(pendingRows().first());
    await hasText(pendingRows().first(), /for Cleo\s+Member\s+admin/);
    expect(await pendingInvitations()).toEqual([{ note: 'for Cleo', role: 'member', status: 'pending', used_by_username: null }]);
    await inviteShots('org-invite');
    const serious = await axeSerious();
    expect(serious, 'serious or critical axe violations on the organization page').toEqual([]);
    await once.getByRole('button', { name: 'Done' }).click();
    await gone(once);
    // Done hands focus back to the form's button, not to the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Create link');
  }, 90_000);

  it('cleo opens the link in a second browser, signs in and joins; after a reload the console lists her, and the link is used', async () => {
    diagnoseOnFailure('join');
    const second = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p2 = await second.newPage();
      await joinByPage(p2);
    } finally {
      await second.close();
    }
    // The admin comes back to the console's window: the screen reloads.
    await page.bringToFront();
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await shown(row('cleo'));
    await hasText(row('cleo'), 'Member');
    await hasText(row('cleo'), 'admin'); // invited by
    await shown(inviteCard().getByText('No pending invitations'));
    expect(await pendingInvitations()).toEqual([{ note: 'for Cleo', role: 'member', status: 'used', used_by_username: 'cleo' }]);
  }, 90_000);

  it('makes cleo its admin', async () => {
    diagnoseOnFailure('cleo-admin');
    await row('cleo').getByRole('button', { name: 'Make cleo admin' }).click();
    await hasText(row('cleo'), 'Admin');
    await shown(row('cleo').getByRole('button', { name: 'Make cleo member' }));
    expect((await members()).map((m) => [m.username, m.role])).toEqual([
      ['admin', 'admin'],
      ['ana', 'member'],
      ['cleo', 'admin'],
    ]);
  }, 60_000);

  it('revokes a second link after confirming: it stops being pending', async () => {
    diagnoseOnFailure('revoke');
    const card = inviteCard();
    await card.getByLabel('Role').selectOption('admin');
    await card.getByLabel('Note').fill('for Dan');
    await card.getByRole('button', { name: 'Create link' }).click();
    await shown(card.getByRole('region', { name: 'New invitation link' }));
    await hasText(card.getByRole('region', { name: 'New invitation link' }), 'joins Acme Corp as an admin');
    await card.getByRole('button', { name: 'Done' }).click();
    const dan = pendingRows().filter({ hasText: 'for Dan' });
    await hasText(dan, 'Admin');
    await dan.getByRole('button', { name: /^Revoke/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this invitation?' });
    await shown(dialog);
    await hasText(dialog, 'The link for “for Dan” stops working at once.');
    await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
    await gone(dialog);
    await gone(dan);
    await shown(card.getByText('No pending invitations'));
    expect((await pendingInvitations()).find((i) => i.note === 'for Dan')).toEqual({
      note: 'for Dan',
      role: 'admin',
      status: 'revoked',
      used_by_username: null,
    });
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
      ['cleo', 'admin'],
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
      ['cleo', 'admin'],
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
    await hasText(acme, /acme\s+Acme Corp\s+3\s+3/);
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
