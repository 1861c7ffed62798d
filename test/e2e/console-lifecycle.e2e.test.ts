/// <reference lib="dom" />
// Offboarding in the console, end to end: web mode as a real child process,
// its real bundled server, the built renderer in Debian's Chromium. The admin
// filters the Users list to those who never signed in, deactivates every one
// of them after a confirmation naming the count, and undoes it; signs a user
// out everywhere from the user editor while that user has a page open on the
// server, whose next request is refused; exports the users matching "no
// sign-in for 30 days" as CSV, and the audit log about that user. Pictures at
// 1280 and 900 px, light and dark; axe on each screen.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { ensureRendererBuilt, startBundledConsole, stopConsoleAndClean, type BundledConsole, type ConsoleWeb } from '../helpers/console-web.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console lifecycle e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const PASSWORD = 'a long enough passphrase 7';
const SHOT_WIDTHS = [1280, 900] as const;

(missing ? describe.skip : describe)('console offboarding in Chromium (web mode, real bundled server)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connection = '';
  let serverUrl = '';
  const ids: Record<string, number> = {};
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'lifecycle' });
  const { shown, hasText, main, heading, shots, diagnoseOnFailure, pageErrors, shotsTaken } = kit;

  const tokenOf = async (username: string) => {
    const res = await fetch(`${serverUrl}/api-token-auth/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const meStatus = async (token: string) => (await fetch(`${serverUrl}/api/v2/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const activeOf = async (name: string) => {
    const r = await web.bridge<{ is_active: boolean }>('getUser', { connection, id: ids[name] });
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.value.is_active;
  };
  const userRows = () => main().locator('table.users-table tbody tr');
  async function settle() {
    await kit.dismissToasts();
    await main().evaluate((el) => el.scrollTo({ top: 0 }));
  }
  const axeSerious = (what: string) => kit.axeSerious(what, SHOT_WIDTHS);

  beforeAll(async () => {
    process.stdout.write(`lifecycle e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    let must: BundledConsole['must'];
    [{ web, dataDir, connection, serverUrl, must }, browser] = await Promise.all([startBundledConsole(ADMIN), launchChromium()]);
    for (const username of ['dana', 'sam', 'idle.one', 'idle.two']) {
      ids[username] = (
        await must<{ user: { id: number } }>('createUser', { connection, username, password: PASSWORD, email: `${username}@corp.example` })
      ).user.id;
    }
    // dana and sam have signed in; the two idle ones never did.
    await tokenOf('dana');
    await tokenOf('sam');
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(`${web.url}#/users`);
    await shown(heading('Users'));
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`lifecycle e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  it('dormant filter: never signed in; last sign-in said as time ago; bulk deactivate over all of them with a count, then Undo', async () => {
    diagnoseOnFailure('dormant');
    await expect.poll(() => userRows().count()).toBe(5);
    const danaLogin = userRows().filter({ hasText: 'dana' }).locator('time').last();
    await hasText(danaLogin, 'just now');
    expect(await danaLogin.getAttribute('title')).toMatch(/\d{4}/);
    await page.getByLabel('Never signed in').selectOption('yes');
    await expect.poll(() => userRows().count()).toBe(2);
    await hasText(main().locator('.head-count'), '2 users match');
    await hasText(userRows().first(), 'Never');
    await settle();
    await shots('01-never-signed-in', SHOT_WIDTHS);
    expect(await axeSerious('users, dormant filter'), 'serious axe findings on Users').toEqual([]);

    await page.getByLabel('Select all on this page').check();
    await main().getByRole('button', { name: 'Deactivate', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: /^Deactivate 2 users on “Bundled server”\?$/ });
    await shown(confirm);
    await shots('02-bulk-deactivate-confirm', SHOT_WIDTHS);
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(async () => [await activeOf('idle.one'), await activeOf('idle.two'), await activeOf('dana')]).toEqual([false, false, true]);
    await page.locator('.toast', { hasText: 'Deactivated 2 users' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => [await activeOf('idle.one'), await activeOf('idle.two')]).toEqual([true, true]);
    await page.getByLabel('Never signed in').selectOption('any');
    await expect.poll(() => userRows().count()).toBe(5);
  }, 120_000);

  it("sign out everywhere from the user editor: sam's open page and JWT are refused on their next request; his key still works", async () => {
    diagnoseOnFailure('sign-out');
    const jwt = await tokenOf('sam');
    expect(await meStatus(jwt)).toBe(200);
    // sam's own browser, signed in on the server's page.
    const samContext = await browser.newContext();
    const sam = await samContext.newPage();
    await sam.goto(`${serverUrl}/accounts/login/`);
    await sam.getByLabel('Username or email').fill('sam');
    await sam.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await sam.getByRole('button', { name: 'Sign in' }).click();
    await sam.waitForURL(/\/dashboard\/$/);

    await page.goto(`${web.url}#/users/${ids.sam}`);
    await shown(heading('sam'));
    const section = main().getByRole('region', { name: 'Sessions and access' });
    await section.scrollIntoViewIfNeeded();
    await section.getByRole('button', { name: 'Sign out everywhere' }).click();
    const confirm = page.getByRole('dialog', { name: 'Sign out everywhere: sam?' });
    await shown(confirm);
    await hasText(confirm, /API keys keep working/);
    await shots('03-sign-out-confirm', SHOT_WIDTHS);
    expect(await axeSerious('sign-out confirmation'), 'serious axe findings on the confirmation').toEqual([]);
    await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
    await shown(page.locator('.toast', { hasText: 'sam signed out everywhere' }));

    expect(await meStatus(jwt)).toBe(401);
    await sam.reload();
    await sam.waitForURL(/\/accounts\/login\//);
    const keys = await web.bridge<Array<{ is_active: boolean }>>('listKeys', { connection, user: ids.sam });
    expect(keys.ok && keys.value.every((k) => k.is_active)).toBe(true);
    await samContext.close();
  }, 120_000);

  it('export with a filter (no sign-in for 30 days) as CSV, and the audit log about sam', async () => {
    diagnoseOnFailure('export');
    await page.goto(`${web.url}#/users`);
    await shown(heading('Users'));
    await page.getByLabel('No sign-in for (days)').fill('30');
    await expect.poll(() => userRows().count()).toBe(2);
    await settle();
    await shots('04-idle-30-days', SHOT_WIDTHS);
    const [download] = await Promise.all([page.waitForEvent('download'), main().getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,username,email,is_active,is_staff,is_superuser,date_joined,last_login,sign_in');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
    ).toEqual(['idle.one', 'idle.two']);

    await page.goto(`${web.url}#/audit?user=${ids.sam}`);
    await shown(heading('Audit log'));
    await hasText(main(), 'admin signed sam out everywhere');
    expect(await page.getByLabel('Affected user (id)').inputValue()).toBe(String(ids.sam));
    await settle();
    await shots('05-audit-about-sam', SHOT_WIDTHS);
    expect(await axeSerious('audit about a user'), 'serious axe findings on Audit').toEqual([]);
    const [auditFile] = await Promise.all([page.waitForEvent('download'), main().getByRole('button', { name: 'Export CSV' }).click()]);
    const audit = readFileSync((await auditFile.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(audit[0]).toBe('id,at,actor,action,outcome,target_type,target_id,target,client_ip,detail');
    expect(audit.slice(1).map((l) => l.split(',')[3])).toContain('user.sign_out');
    expect(audit.slice(1).every((l) => l.includes(',sam,'))).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
