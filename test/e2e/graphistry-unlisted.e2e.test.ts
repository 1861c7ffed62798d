/// <reference lib="dom" />
// Issue 18 on the Users screen: a Graphistry whose admin is Django's stock
// UserAdmin (no superuser, active or dates in its list), in German, in
// Europe/Berlin. The date cells say "Not listed" (never "Never", never empty),
// the flags the list does not show are the server's, and "Load for these rows"
// reads the dates with a progress bar; what then shows is what the peer's
// database holds, to the second (read through manage.py shell).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { ensureRendererBuilt, startConsoleWeb, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';
import { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';
import { gone, hasText, shots, shown } from '../helpers/e2e-kit.ts';

const missing = chromiumMissing() ?? (await djangoMissing());
/** axe-core's own bundle, evaluated in the page as the accessibility e2e does (the renderer's CSP allows no inline script). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the e2e of columns a Graphistry's list does not show.\n\n`);

(missing ? describe.skip : describe)('console in Chromium: a Graphistry whose admin lists no dates (German, Europe/Berlin)', () => {
  let peer: DjangoPeer;
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    process.stdout.write(`unlisted e2e: ${ensureRendererBuilt()}\n`);
    peer = await startDjangoPeer({ listDisplay: 'django', language: 'de', timeZone: 'Europe/Berlin' });
    await seedPeerUsers(peer, 260);
    dataDir = tempDir();
    web = await startConsoleWeb(dataDir);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto(web.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await web?.stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
    await peer?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const main = () => page.locator('#main');
  const rows = () => main().locator('table.users-table tbody tr');
  function diagnose(step: string) {
    onTestFailed(async () => {
      const text = await main()
        .innerText({ timeout: 1_000 })
        .catch(() => '(no #main)');
      process.stderr.write(`\n--- ${step} failed; the page showed:\n${text.slice(0, 2_000)}\n--- console-web:\n${web.output().slice(-1_500)}\n`);
      await page.screenshot({ path: `${screenshotDir()}/unlisted-FAILED-${step}.png`, fullPage: true }).catch(() => undefined);
    });
  }

  /**
   * Each user's row as the table shows it: its cells' text by column (the
   * header's words, lower case), and a date cell's exact instant (`<time datetime>`).
   */
  const table = () =>
    rows().evaluateAll((trs) =>
      trs.map((tr) => {
        const heads = [...tr.closest('table')!.querySelectorAll('thead th')].map((th) => (th as HTMLElement).innerText.trim().toLowerCase());
        const cells = [...tr.querySelectorAll('td')];
        const cell = (head: string) => cells[heads.findIndex((h) => h.startsWith(head))];
        const instant = (head: string) => cell(head)?.querySelector('time')?.getAttribute('datetime') ?? null;
        const text = (head: string) => cell(head)?.innerText.trim() ?? `(no ${head} column)`;
        return {
          username: text('username'),
          superuser: text('superuser'),
          active: text('active'),
          dates: [text('date joined'), text('last login')],
          date_joined: instant('date joined'),
          last_login: instant('last login'),
        };
      }),
    );

  async function seriousViolations(): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
      const a = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe;
      const r = await a.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
  }

  /** The database's users: flags, and dates as UTC instants to the second (all a Django admin shows). */
  async function database(): Promise<Map<string, { is_active: boolean; is_superuser: boolean; date_joined: string; last_login: string | null }>> {
    const out = await peer.shell(
      [
        'import json',
        'from datetime import timezone',
        'from users.models import User',
        "iso = lambda d: d and d.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000Z')",
        'print(json.dumps({u.username: dict(is_active=u.is_active, is_superuser=u.is_superuser, date_joined=iso(u.date_joined), last_login=iso(u.last_login)) for u in User.objects.all()}))',
      ].join('\n'),
    );
    return new Map(Object.entries(JSON.parse(out.trim().split('\n').at(-1)!)));
  }

  it('1. the date cells say Not listed, and the flags the list does not show are the server’s', async () => {
    diagnose('1-not-listed');
    await page.getByRole('button', { name: 'Connect to a Graphistry server' }).click();
    await main().getByLabel('Server URL').fill(peer.url);
    await main().getByLabel('Username', { exact: true }).fill(PEER_ADMIN.username);
    await main().getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await shown(page.getByRole('heading', { name: 'Users', exact: true }), 30_000);
    await main().getByLabel('Rows per page').selectOption('200');
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(200);
    const note = main().getByRole('group', { name: 'Columns not listed' });
    await hasText(note, 'does not show date joined and last login');
    const db = await database();
    for (const row of await table()) {
      expect(row.dates, row.username).toEqual(['Not listed', 'Not listed']);
      const truth = db.get(row.username)!;
      // The check mark and its screen-reader word: "✓ Yes" or "— No".
      expect(row.superuser.endsWith(truth.is_superuser ? 'Yes' : 'No'), `${row.username} superuser: ${row.superuser}`).toBe(true);
      expect(row.active, `${row.username} active`).toBe(truth.is_active ? 'Active' : 'Inactive');
    }
    // The note, its button and the muted cells, in light and dark: nothing serious or critical for axe.
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      expect(await seriousViolations(), colorScheme).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await shots(page, 'unlisted-01-not-listed', [1280], []);
  }, 90_000);

  it('2. Load for these rows shows its progress, then the dates the database holds', async () => {
    diagnose('2-load');
    const note = main().getByRole('group', { name: 'Columns not listed' });
    await note.getByRole('button', { name: 'Load for these rows' }).click();
    const progress = note.getByRole('progressbar', { name: 'Reading these rows' });
    await shown(progress);
    const seen = Number(await progress.getAttribute('value'));
    expect(seen).toBeLessThan(200);
    await hasText(note, /Reading… \d+ of 200/);
    await shots(page, 'unlisted-02-loading', [1280], []);
    await gone(note);
    const db = await database();
    const shownRows = await table();
    expect(shownRows).toHaveLength(200);
    let signedIn = 0;
    for (const row of shownRows) {
      const truth = db.get(row.username)!;
      expect({ who: row.username, date_joined: row.date_joined, last_login: row.last_login }).toEqual({
        who: row.username,
        date_joined: truth.date_joined,
        last_login: truth.last_login,
      });
      if (truth.last_login) signedIn++;
      else expect(row.dates[1], row.username).toBe('Never');
    }
    expect(signedIn).toBeGreaterThan(50);
    // Both seasons are among them (the peer is in Europe/Berlin).
    const months = new Set(shownRows.map((r) => r.date_joined!.slice(5, 7)));
    expect([...months].some((m) => m >= '04' && m <= '09') && [...months].some((m) => m <= '02' || m >= '11')).toBe(true);
    await shots(page, 'unlisted-03-loaded', [1280], []);
  }, 90_000);

  it('3. another page says Not listed again: loaded values belong to the rows they were read for', async () => {
    diagnose('3-next-page');
    await main().getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(61);
    for (const row of await table()) expect(row.dates, row.username).toEqual(['Not listed', 'Not listed']);
  }, 60_000);
});
