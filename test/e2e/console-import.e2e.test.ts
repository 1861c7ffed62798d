/// <reference lib="dom" />
// Importing users in the console, end to end: web mode as a real child
// process, its real bundled server, the built renderer in Debian's Chromium.
// A file with mistakes is checked (each refused row named by its line, and
// nothing written), fixed, checked again and imported; the set-password
// links come once and are saved as CSV; no API key is made; one link sets a
// password on the server's page and the account then signs in. Photographed
// at 1280 and 900 px, light and dark; axe checks the screen.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PersonalKey, UserPage } from '../../src-shared/domain.ts';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit, HEIGHT } from '../helpers/console-kit.ts';
import { api, ensureRendererBuilt, startBundledConsole, stopConsoleAndClean, type BundledConsole, type ConsoleWeb } from '../helpers/console-web.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console import e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const SHOT_WIDTHS = [1280, 900] as const;

const WITH_MISTAKES = [
  'username;email;is_staff',
  'ana;ana@example.com;false',
  '=HYPERLINK("http://evil.example");x@example.com;false',
  'EXISTING;existing2@example.com;',
  'ben;ben@example.com;maybe',
  'Ana;ana2@example.com;true',
].join('\n');
const FIXED = ['username;email;is_staff', 'ana;ana@example.com;false', 'ben;ben@example.com;true', 'cleo;"cleo@example.com";'].join('\n');

(missing ? describe.skip : describe)('console: importing users, in Chromium (web mode, real bundled server)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connection = '';
  let serverUrl = '';
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'import' });
  const { shown, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`import e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    let must: BundledConsole['must'];
    [{ web, dataDir, connection, serverUrl, must }, browser] = await Promise.all([startBundledConsole(ADMIN), launchChromium()]);
    await must('createUser', { connection, username: 'existing', password: 'existing keeps a long passphrase' });
    context = await browser.newContext({ viewport: { width: 1280, height: HEIGHT }, reducedMotion: 'reduce', acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(`${web.url}#/users`);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`import e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  const usernames = async () => {
    const r = await web.bridge<UserPage>('listUsers', { connection, ordering: 'username', page_size: 100 });
    if (!r.ok) throw new Error(`listUsers: ${JSON.stringify(r)}`);
    return r.value.results.map((u) => u.username);
  };
  const pick = (name: string, text: string) =>
    main()
      .getByLabel('File', { exact: true })
      .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
  const checkRows = () => main().getByRole('table', { name: 'Rows as checked' }).locator('tbody tr');

  it('checks a file with mistakes: each refused row by its line and column, nothing written, Import not offered', async () => {
    diagnoseOnFailure('check-mistakes');
    await shown(heading('Users'), 30_000);
    await nav('Import');
    await shown(heading('Import users'));
    await pick('people.csv', WITH_MISTAKES);
    await main().getByRole('button', { name: 'Check file' }).click();
    await shown(heading('Check: people.csv'));
    await hasText(main(), '5 rows: 1 to create, 4 refused. Nothing has been written.');
    const rows = await checkRows().allInnerTexts();
    expect(rows.map((r) => r.split('\t').slice(0, 3).join(' '))).toEqual([
      '2 ana Create',
      expect.stringMatching(/^3 .* Refused$/),
      '4 EXISTING Refused',
      '5 ben Refused',
      '6 Ana Refused',
    ]);
    await hasText(checkRows().nth(3), 'is_staff');
    await hasText(checkRows().nth(4), 'line 2');
    expect(
      await main()
        .getByRole('button', { name: /^Import \d+ rows?$/ })
        .isDisabled(),
    ).toBe(true);
    expect(await usernames()).toEqual(['admin', 'existing']);
    await heading('Check: people.csv').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shots('check-mistakes', SHOT_WIDTHS);
  }, 60_000);

  it('imports the fixed file: links shown once and saved as CSV, no key made, a link sets a password and the account signs in', async () => {
    diagnoseOnFailure('import-fixed');
    await pick('people-fixed.csv', FIXED);
    await main().getByRole('button', { name: 'Check file' }).click();
    await shown(heading('Check: people-fixed.csv'));
    await hasText(main(), '3 rows: 3 to create.');
    await main().getByRole('button', { name: 'Import 3 rows' }).click();
    await shown(heading('Import finished'));
    await hasText(main().getByRole('status').filter({ hasText: 'created' }), '3 created');
    expect(await usernames()).toEqual(['admin', 'ana', 'ben', 'cleo', 'existing']);
    const downloaded = page.waitForEvent('download');
    await main().getByRole('button', { name: 'Save as CSV' }).click();
    const file = await (await downloaded).path();
    const csv = readFileSync(file!, 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('line,username,link,link_expires_at,key_id,key_secret');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(' '))).toEqual(['2 ana', '3 ben', '4 cleo']);
    await heading('Import finished').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shots('result', SHOT_WIDTHS);
    const found = await kit.axeSerious('import', SHOT_WIDTHS);
    expect(found).toEqual([]);

    for (const username of ['ana', 'ben', 'cleo']) {
      const users = await web.bridge<UserPage>('listUsers', { connection, search: username });
      const id = users.ok ? users.value.results.find((u) => u.username === username)!.id : 0;
      const keys = await web.bridge<PersonalKey[]>('listKeys', { connection, user: id });
      expect(keys.ok && keys.value).toEqual([]);
    }
    // Ben's link, opened as he would: the server's page sets his password, and then he signs in.
    const link = csv[2]!.split(',')[2]!;
    const benPage = await (await browser.newContext()).newPage();
    await benPage.goto(link.startsWith('http') ? link : `${serverUrl}${link}`);
    await benPage.getByLabel(/^(New password|Password)$/).fill('ben keeps a long passphrase');
    await benPage.getByLabel(/confirm|again/i).fill('ben keeps a long passphrase');
    await benPage.getByRole('button', { name: /set password|save/i }).click();
    const token = await api('POST', `${serverUrl}/api-token-auth/`, { body: { username: 'ben', password: 'ben keeps a long passphrase' } });
    expect(token.status).toBe(200);
    await benPage.context().close();
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
