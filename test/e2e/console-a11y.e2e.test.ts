/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Every console screen as a new admin meets it, checked by axe-core in light
// and dark at a full laptop width and half a screen: no serious or critical
// violation (contrast, names, roles). And the identifiers an admin reads are
// whole: 2,000 users with long usernames that share a long prefix (so a cut
// would make rows look alike) and long emails, a key list, an audit log full
// of those names, at 1280, 1024 and 900 px; a skip link. Web mode in
// Chromium with the real bundled server, seeded through its SQLite file and
// its admin REST API, and a Graphistry (the Django reference peer).
// Regression for: light-theme accent at 4.0-4.4:1 on 21 of 27 screens,
// usernames cut to `alice.cohen1…` at 1024/900 px, the keys table's Revoke
// column clipped, no skip link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit, HEIGHT, WIDTHS } from '../helpers/console-kit.ts';
import {
  api,
  bundledSqliteFile,
  ensureRendererBuilt,
  jwtFor,
  seedUsers,
  startConsoleWeb,
  stopConsoleAndClean,
  tempDir,
  type ConsoleWeb,
} from '../helpers/console-web.ts';
import { GRAPHISTRY_UNSUPPORTED } from '../../src-main/backend/capabilities.ts';
import { startTestIdp } from '../helpers/test-idp.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console accessibility e2e (web mode in Chromium).\n\n`);
const noPeer = missing ? null : await djangoMissing();
if (noPeer) process.stderr.write(`\n!!! ${noPeer}: SKIPPING the Users table on a Graphistry connection in the accessibility e2e.\n\n`);

/** axe-core's own bundle, evaluated in the page (the renderer's CSP allows no inline script, DevTools evaluation is exempt). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const ADMIN = { username: 'admin', email: 'admin@example.com', password: 'correct horse battery staple' };
/** 40-character usernames that differ only at the end: a column that cuts them makes the rows look alike. */
const longName = (i: number) => `alice.cohen1.research-platform.team${String(i).padStart(5, '0')}`;
/** 62-character emails. */
const longEmail = (i: number) => `${longName(i)}@analytics-department.example.org`;
const SEEDED = 2_000;
/**
 * Last sign-ins for the first page's rows (longName(1) … longName(5)) that read as the widest
 * value of each unit in the Last login column, and stay so for the suite's few minutes.
 */
const WIDEST_AGO: Array<{ ago: number; reads: RegExp }> = [
  { ago: 45 * 60_000, reads: /^\d\d min ago$/ },
  { ago: 20 * 3_600_000, reads: /^\d\d hr ago$/ },
  { ago: 28.5 * 86_400_000, reads: /^28 days ago$/ },
  { ago: 10.5 * 30 * 86_400_000, reads: /^10 mo ago$/ },
  { ago: 2.5 * 365 * 86_400_000, reads: /^2 yr ago$/ },
];
const MEMBER = { username: 'alice.cohen1.research-platform.teamlead', email: 'alice.cohen1.research-platform.teamlead@analytics-department.example.org' };
const AXE_WIDTHS = [1280, 900] as const;
const THEMES = ['light', 'dark'] as const;

/** Which cells of a table hold identifiers: a pattern for the column's header, and/or a selector for the cell. */
interface Identifiers {
  columns?: string;
  cells?: string;
}

type Impact = 'minor' | 'moderate' | 'serious' | 'critical';
interface Violation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: Array<{ target: string; html: string; summary: string }>;
}

(missing ? describe.skip : describe)('console accessibility and legibility (axe-core, web mode in Chromium)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let serverUrl = '';
  let jwt = '';
  let memberId = 0;
  let profileId = '';
  let peer: DjangoPeer | undefined;
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'a11y' });
  const { shown, main, heading, diagnoseOnFailure } = kit;
  /** Every axe run: screen, theme, width and what it found. */
  const runs: Array<{ screen: string; theme: string; width: number; violations: Violation[] }> = [];

  beforeAll(async () => {
    process.stdout.write(`a11y e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    dataDir = tempDir();
    // The Graphistry (Django reference peer) starts beside the console; its users are seeded at once.
    [web, browser, peer] = await Promise.all([startConsoleWeb(dataDir), launchChromium(), noPeer ? undefined : startGraphistry()]);
    // Reduced motion turns off the switches' colour transitions, so axe never reads a colour half-way between themes.
    context = await browser.newContext({ viewport: { width: WIDTHS[0], height: HEIGHT }, reducedMotion: 'reduce' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(web.url);
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    await peer?.stop();
    if (runs.length) {
      const byRule = new Map<string, number>();
      for (const r of runs)
        for (const v of r.violations) byRule.set(`${v.id} (${v.impact ?? '?'})`, (byRule.get(`${v.id} (${v.impact ?? '?'})`) ?? 0) + v.nodes.length);
      process.stdout.write(`A11Y total over ${runs.length} runs, nodes by rule: ${byRule.size ? JSON.stringify(Object.fromEntries(byRule)) : 'none'}\n`);
    }
    if (kit.shotsTaken.length) process.stdout.write(`a11y e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${kit.shotsTaken.join(', ')}\n`);
  });

  /** The Django reference peer with 60 of the same long usernames and emails (one bulk insert, no password hashing). */
  async function startGraphistry(): Promise<DjangoPeer> {
    const p = await startDjangoPeer();
    await p.shell(
      `from users.models import User\nUser.objects.bulk_create([User(username='${longName(0)}'[:-5] + f'{i:05d}', email='${longEmail(0)}'.replace('00000', f'{i:05d}', 1), password='!') for i in range(1, 61)])`,
    );
    return p;
  }

  // ---- axe ---------------------------------------------------------------------------------

  async function axe(): Promise<Violation[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
      const a = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe;
      const r = await a.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(' '),
          html: n.html.slice(0, 160),
          summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
        })),
      }));
    });
  }

  /**
   * axe on the screen as it is, light and dark, at 1280 and 900 px; prints the
   * count of each rule (and its impact) per run and returns the serious and
   * critical ones, naming the elements (returned rather than thrown, so a step
   * can finish what the next steps need before it fails). `ready` waits for
   * the screen's content after a resize (a narrower window may lay it out anew).
   */
  async function audit(screen: string, ready: () => Promise<void> = async () => undefined): Promise<string[]> {
    const serious: string[] = [];
    try {
      for (const width of AXE_WIDTHS) {
        await page.setViewportSize({ width, height: HEIGHT });
        await ready();
        for (const theme of THEMES) {
          await page.emulateMedia({ colorScheme: theme });
          const violations = await axe();
          runs.push({ screen, theme, width, violations });
          const counts = violations.map((v) => `${v.id}(${v.impact})×${v.nodes.length}`).join(', ') || 'none';
          process.stdout.write(`A11Y ${screen.padEnd(12)} ${theme.padEnd(5)} ${width}: ${counts}\n`);
          for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
            for (const n of v.nodes.slice(0, 6)) serious.push(`${screen} ${theme} ${width} ${v.id} (${v.help}): ${n.target} ${n.html} — ${n.summary}`);
          }
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
    }
    return serious;
  }
  const noSerious = (found: string[]) => expect(found, 'serious or critical axe violations').toEqual([]);

  // ---- legibility ----------------------------------------------------------------------------

  /**
   * What is cut in one table: a column whose header or cells reach past the
   * table's visible box (its scrolling wrapper, the content pane, the
   * window); a cell whose text or boxes (a badge, a button) run past the
   * cell's content box (an ellipsis or overflow: hidden lays the text out in
   * full and hides the rest, so the text's own rectangles show it); anything
   * in a cell that scrolls wider than it shows. Counts the identifier cells it
   * saw, so a selector that matches nothing fails rather than passes.
   */
  async function clipped(table: string, identifiers: Identifiers): Promise<{ problems: string[]; identifiers: number }> {
    return page.locator(table).evaluate((t, ids) => {
      // The page's CSP allows no eval, so which cells hold identifiers comes as data, not as a function.
      const isIdentifier = (cell: HTMLTableCellElement, column: string) =>
        (ids.columns !== undefined && new RegExp(ids.columns, 'i').test(column)) || (ids.cells !== undefined && cell.matches(ids.cells));
      const problems: string[] = [];
      let identifierCells = 0;
      const tr = t.getBoundingClientRect();
      // The box the table is seen through: every scrolling ancestor's inside, and the window.
      let left = Math.max(0, tr.left);
      let right = Math.min(window.innerWidth, tr.right);
      for (let el = t.parentElement; el; el = el.parentElement) {
        if (getComputedStyle(el).overflowX === 'visible') continue;
        const r = el.getBoundingClientRect();
        left = Math.max(left, r.left + el.clientLeft);
        right = Math.min(right, r.left + el.clientLeft + el.clientWidth);
      }
      const cols = [...t.querySelectorAll('colgroup col')].map((c) => c.className || '');
      const heads = [...t.querySelectorAll('thead th')].map((h) => (h.textContent ?? '').trim());
      const hidden = (n: Node) => Boolean(n.parentElement?.closest('.sr-only'));
      const textRects = (cell: Element) => {
        const out: DOMRect[] = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.textContent?.trim() || hidden(n)) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          out.push(...range.getClientRects());
        }
        return out;
      };
      const px = (a: number, b: number) => `${Math.round(a)}..${Math.round(b)} px`;
      for (const row of t.querySelectorAll('tr')) {
        let index = 0;
        for (const cell of row.querySelectorAll<HTMLTableCellElement>('th, td')) {
          const column = cell.colSpan > 1 ? 'detail' : heads[index] || cols[index] || `column ${index + 1}`;
          index += cell.colSpan;
          const what = `${column} "${(cell.textContent ?? '').trim().slice(0, 60)}"`;
          const r = cell.getBoundingClientRect();
          if (r.width === 0) continue;
          if (isIdentifier(cell, column)) identifierCells++;
          if (r.left < left - 1 || r.right > right + 1)
            problems.push(`${what}: the cell (${px(r.left, r.right)}) is outside the table's visible box (${px(left, right)})`);
          const s = getComputedStyle(cell);
          const inLeft = r.left + cell.clientLeft + parseFloat(s.paddingLeft);
          const inRight = r.right - parseFloat(s.borderRightWidth) - parseFloat(s.paddingRight);
          // No tolerance beyond sub-pixel noise: text a fraction of a pixel too wide for its line already loses its last characters to an ellipsis.
          const past = [
            ...textRects(cell),
            ...[...cell.querySelectorAll('*')].filter((e) => !hidden(e) && !e.classList.contains('sr-only')).map((e) => e.getBoundingClientRect()),
          ].find((b) => b.width > 0 && (b.right > inRight + 0.05 || b.left < inLeft - 0.05));
          if (past) problems.push(`${what}: its content (${px(past.left, past.right)}) runs past the cell's inside (${px(inLeft, inRight)})`);
          for (const el of [cell, ...cell.querySelectorAll<HTMLElement>('*')]) {
            if (el.closest('.sr-only')) continue;
            const es = getComputedStyle(el);
            if (el.scrollWidth > el.clientWidth && (es.overflowX !== 'visible' || es.textOverflow === 'ellipsis')) {
              problems.push(`${what}: <${el.tagName.toLowerCase()}> shows ${el.clientWidth} of ${el.scrollWidth} px (text-overflow: ${es.textOverflow})`);
              break;
            }
          }
        }
      }
      // A column that is cut is cut in every row: the first few rows say it, the count says how widely.
      const shown = problems.slice(0, 12);
      if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
      return { problems: shown, identifiers: identifierCells };
    }, identifiers);
  }

  const firstPageOfUsers = async () => {
    await shown(heading('Users'));
    await page.waitForFunction((name) => [...document.querySelectorAll('#main table tbody a.row-link')].some((a) => a.textContent === name), longName(1), {
      timeout: 15_000,
    });
  };

  // ---- the screens ---------------------------------------------------------------------------

  it('the setup wizard of a fresh console: its first step, then the first administrator form', async () => {
    diagnoseOnFailure('wizard');
    await shown(heading('Set up Graphistry Admin'), 20_000);
    const found = await audit('wizard');
    await page.getByRole('button', { name: 'Start the bundled server' }).click();
    await shown(heading('Create the first administrator'), 45_000);
    found.push(...(await audit('wizard-admin')));
    await main().getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await main().getByLabel('Email').fill(ADMIN.email);
    await main().getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await main().getByLabel('Password again').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await shown(heading('Users'), 30_000);
    noSerious(found);
  }, 90_000);

  it('seeding: 2,000 users with long names and emails (SQLite), a member with keys and an audit trail (admin REST API)', async () => {
    diagnoseOnFailure('seed');
    const s = await web.bridge<{ url: string }>('bundledServerStatus');
    if (!s.ok || !s.value.url) throw new Error(`the bundled server is not running: ${JSON.stringify(s)}`);
    serverUrl = s.value.url;
    const profiles = await web.bridge<Array<{ id: string }>>('listProfiles');
    if (!profiles.ok) throw new Error(`listProfiles: ${JSON.stringify(profiles)}`);
    profileId = profiles.value[0]!.id;
    // Numbered against the order they joined, so the first page by username holds the latest joiners: December's two-digit days, the widest dates.
    const seededAt = Date.now();
    const seeded = seedUsers(bundledSqliteFile(dataDir), SEEDED, {
      username: (i) => longName(SEEDED + 1 - i),
      email: (i) => longEmail(SEEDED + 1 - i),
      lastLogin: (i) => {
        const widest = WIDEST_AGO[SEEDED - i];
        return widest && new Date(seededAt - widest.ago).toISOString();
      },
    });
    expect(seeded.total).toBe(SEEDED + 1);
    jwt = await jwtFor(serverUrl, ADMIN.username, ADMIN.password);
    const auth = { authorization: `Bearer ${jwt}` };
    const made = await api('POST', `${serverUrl}/api/v2/admin/users`, {
      headers: auth,
      body: { username: MEMBER.username, email: MEMBER.email, password: 'a long passphrase for alice' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    memberId = (made.body.user as { id: number }).id;
    const keys = `${serverUrl}/api/v2/admin/users/${memberId}/keys`;
    for (const body of [
      { name: 'notebook on the shared analytics cluster (team budget 2025)' },
      { name: 'nightly ingest', expires_in_days: 30 },
      { name: 'old laptop' },
    ]) {
      const k = await api('POST', keys, { headers: auth, body });
      expect(k.status, JSON.stringify(k.body)).toBe(201);
    }
    const old = ((await api('GET', keys, { headers: auth })).body.results as Array<{ id: string; name: string }>).find((k) => k.name === 'old laptop')!;
    expect((await api('DELETE', `${keys}/${old.id}`, { headers: auth })).status).toBe(200);
    expect((await api('PATCH', `${serverUrl}/api/v2/admin/users/${memberId}`, { headers: auth, body: { is_staff: true } })).status).toBe(200);
    // A refused sign-in: the log's failure rows.
    expect(
      (await api('POST', `${serverUrl}/api/v2/auth/token/generate`, { body: { username: longName(7), password: 'wrong' } })).status,
    ).toBeGreaterThanOrEqual(400);
  }, 30_000);

  it('Users: 2,000 users, long usernames and emails', async () => {
    diagnoseOnFailure('users');
    await page.goto(`${web.origin}/#/users`).catch(() => undefined);
    await page.reload();
    await firstPageOfUsers();
    noSerious(await audit('users', firstPageOfUsers));
  }, 60_000);

  it('a skip link is the first thing Tab reaches in the connected shell: shown while focused, Enter moves focus to the content', async () => {
    diagnoseOnFailure('skip-link');
    // First in document order on every connected screen; the keyboard test runs where no field takes focus on load (Users focuses its search).
    const firstFocusable = () =>
      page.evaluate(
        () =>
          [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')].find(
            (e) => e.tabIndex >= 0 && !e.matches(':disabled'),
          )?.textContent,
      );
    expect(await firstFocusable()).toBe('Skip to content');
    await page.evaluate(() => (location.hash = '#/audit'));
    await page.reload();
    await shown(heading('Audit log'));
    expect(await firstFocusable()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120)), 'the first Tab reaches the skip link').toMatch(/^<a class="skip"/);
    expect(await kit.usable(skip), 'the focused skip link is whole, in the window and on top').toBeNull();
    await page.screenshot({ path: `${screenshotDir()}/a11y-skip-link-1280-light.png` });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(page.url(), 'the route stays').toMatch(/#\/audit$/);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('#main') !== null), 'the next Tab is inside the content').toBe(true);
    expect(await skip.evaluate((el) => el.getBoundingClientRect().width), 'hidden again once focus moved on').toBeLessThanOrEqual(1);
  }, 30_000);

  it('the user editor of a member with a long username and email', async () => {
    diagnoseOnFailure('editor');
    await page.evaluate((id) => (location.hash = `#/users/${id}`), memberId);
    await shown(heading(MEMBER.username));
    noSerious(await audit('editor'));
  }, 60_000);

  it('Add user', async () => {
    diagnoseOnFailure('add-user');
    await page.evaluate(() => (location.hash = '#/users/new'));
    await shown(heading('Add user'));
    noSerious(await audit('add-user'));
  }, 60_000);

  it("API keys: the member's keys (active, expiring, revoked)", async () => {
    diagnoseOnFailure('keys');
    await page.evaluate((id) => (location.hash = `#/keys/${id}`), memberId);
    await shown(heading('API keys'));
    await shown(main().locator('table.keys-table tbody tr').nth(2));
    const found = await audit('keys');
    // The Revoke confirmation and the header's user menu (open over the screen).
    await main().locator('tr', { hasText: 'nightly ingest' }).getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await shown(dialog);
    found.push(...(await audit('keys-revoke')));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await kit.gone(dialog);
    await page.locator('header .user-button').click();
    await shown(page.getByRole('menu'));
    found.push(...(await audit('user-menu')));
    await page.keyboard.press('Escape');
    noSerious(found);
  }, 60_000);

  it('Registration & settings', async () => {
    diagnoseOnFailure('settings');
    await page.evaluate(() => (location.hash = '#/settings'));
    await shown(heading('Registration & settings'));
    await shown(main().getByRole('switch', { name: 'Open registration' }));
    noSerious(await audit('settings'));
  }, 60_000);

  it('Audit log, one entry opened', async () => {
    diagnoseOnFailure('audit');
    await page.evaluate(() => (location.hash = '#/audit'));
    await shown(heading('Audit log'));
    const rows = main().locator('table.audit-table tbody tr');
    await shown(rows.first());
    await rows
      .first()
      .getByRole('button', { name: /^Details/ })
      .click();
    await shown(main().locator('tr.detail-row'));
    noSerious(await audit('audit'));
  }, 60_000);

  it('Organizations: the list, and an organization’s page (members, create user here, delete)', async () => {
    diagnoseOnFailure('orgs');
    const auth = { authorization: `Bearer ${jwt}` };
    const made = await api('POST', `${serverUrl}/api/v2/admin/organizations`, {
      headers: auth,
      body: { slug: 'research-platform', name: 'Research platform team' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const added = await api('POST', `${serverUrl}/api/v2/admin/organizations/research-platform/members`, {
      headers: auth,
      body: { user_id: memberId, role: 'member' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    await page.evaluate(() => (location.hash = '#/organizations'));
    await shown(heading('Organizations'));
    await shown(main().locator('table.orgs-table tbody tr').first());
    const found = await audit('orgs');
    await page.evaluate(() => (location.hash = '#/organizations/research-platform'));
    await shown(heading('Research platform team'));
    const members = () => shown(main().locator('table.org-members-table tbody tr').nth(1));
    await members();
    found.push(...(await audit('org', members)));
    noSerious(found);
  }, 60_000);

  it('Single sign-on: an IdP listed and tested, and the Add form open', async () => {
    diagnoseOnFailure('sso');
    const idp = await startTestIdp({ redirectUris: [`${serverUrl}/g/sso/oidc/research-platform-keycloak/login/callback`] });
    try {
      const added = await api('POST', `${serverUrl}/api/v2/admin/sso/providers`, {
        headers: { authorization: `Bearer ${jwt}` },
        body: { name: 'research-platform-keycloak', template: 'keycloak', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret },
      });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      await page.evaluate(() => (location.hash = '#/sso'));
      await shown(heading('Single sign-on'));
      const item = main().getByRole('listitem', { name: 'IdP research-platform-keycloak' });
      await item.getByRole('button', { name: /^Test connection/ }).click();
      await shown(item.getByText('Connection works.'));
      await main().getByRole('button', { name: 'Add IdP' }).click();
      await shown(main().getByRole('form', { name: 'Add an IdP' }));
      noSerious(await audit('sso'));
    } finally {
      await idp.close();
    }
  }, 60_000);

  it('Connections', async () => {
    diagnoseOnFailure('connections');
    await page.evaluate(() => (location.hash = '#/connections'));
    await shown(heading(/Connections/));
    noSerious(await audit('connections'));
  }, 60_000);

  // ---- identifiers are whole -------------------------------------------------------------------

  it('at 1280, 1024 and 900 px no column of Users, API keys or Audit log is cut, and usernames, emails and key names are whole (screenshots in light and dark)', async () => {
    diagnoseOnFailure('clipping');
    const problems: string[] = [];
    const check = async (screen: string, table: string, identifiers: Identifiers, least: number) => {
      await kit.atWidths(async (width) => {
        const found = await clipped(table, identifiers);
        expect(found.identifiers, `identifier cells seen in ${screen} at ${width} px`).toBeGreaterThanOrEqual(least);
        for (const p of found.problems) problems.push(`${screen} at ${width} px: ${p}`);
      });
    };

    await page.evaluate(() => (location.hash = '#/users'));
    await firstPageOfUsers();
    // The widest value of each unit is on the page, so the check below measures it.
    const agos = await main().locator('table.users-table tbody time').allTextContents();
    for (const { reads } of WIDEST_AGO)
      expect(
        agos.some((t) => reads.test(t)),
        `${reads} among ${agos.join(', ')}`,
      ).toBe(true);
    await check('Users', 'table.users-table', { columns: '^(Username|Email)' }, 100);
    await kit.shots('users');

    await page.evaluate((id) => (location.hash = `#/users/${id}`), memberId);
    await shown(heading(MEMBER.username));
    await kit.atWidths(async (width) => {
      const h = await main()
        .locator('h1')
        .evaluate((el) => ({
          scroll: el.scrollWidth,
          client: el.clientWidth,
          right: el.getBoundingClientRect().right,
          main: document.querySelector('#main')!.getBoundingClientRect().right,
        }));
      if (h.scroll > h.client + 1 || h.right > h.main + 1)
        problems.push(
          `the editor's heading at ${width} px shows ${h.client} of ${h.scroll} px (ends at ${Math.round(h.right)}, the pane at ${Math.round(h.main)})`,
        );
    });

    await page.evaluate((id) => (location.hash = `#/keys/${id}`), memberId);
    await shown(main().locator('table.keys-table tbody tr').nth(2));
    await check('API keys', 'table.keys-table', { columns: '^(Name|Key)$' }, 8);
    await kit.shots('keys');

    await page.evaluate(() => (location.hash = '#/audit'));
    await shown(main().locator('table.audit-table tbody tr').first());
    await main()
      .locator('table.audit-table tbody tr')
      .first()
      .getByRole('button', { name: /^Details/ })
      .click();
    await shown(main().locator('tr.detail-row'));
    await check('Audit log', 'table.audit-table', { cells: 'td.cell-sentence, tr.detail-row td' }, 8);
    await kit.shots('audit');

    expect(problems).toEqual([]);
  }, 90_000);

  it.skipIf(Boolean(noPeer))(
    'on a Graphistry connection the Users table has the same columns, none cut at 1280, 1024 and 900 px, and axe finds nothing serious',
    async () => {
      diagnoseOnFailure('graphistry');
      const saved = await web.bridge<{ id: string }>('saveProfile', { name: 'Graphistry', kind: 'remote', url: peer!.url, username: PEER_ADMIN.username });
      if (!saved.ok) throw new Error(`saveProfile: ${JSON.stringify(saved)}`);
      const signedIn = await web.bridge('signIn', { profileId: saved.value.id, username: PEER_ADMIN.username, password: PEER_ADMIN.password });
      if (!signedIn.ok) throw new Error(`signIn: ${JSON.stringify(signedIn)}`);
      profileId = saved.value.id;
      await page.evaluate(() => (location.hash = '#/users'));
      await page.reload();
      await firstPageOfUsers();
      const problems: string[] = [];
      await kit.atWidths(async (width) => {
        const found = await clipped('table.users-table', { columns: '^(Username|Email)' });
        expect(found.identifiers, `identifier cells seen at ${width} px`).toBeGreaterThanOrEqual(100);
        for (const p of found.problems) problems.push(`Graphistry Users at ${width} px: ${p}`);
      });
      await kit.shots('graphistry-users');
      const found = await audit('gr-users', firstPageOfUsers);
      // Single sign-on is not configured through a Graphistry's admin site: the screen says so, plainly.
      await page.evaluate(() => (location.hash = '#/sso'));
      await shown(main().getByText(GRAPHISTRY_UNSUPPORTED.sso));
      found.push(...(await audit('gr-sso')));
      expect(problems).toEqual([]);
      noSerious(found);
    },
    60_000,
  );

  it('the sign-in card of a signed-out connection', async () => {
    diagnoseOnFailure('sign-in');
    // The connection in use (the Graphistry when the step before ran, else the bundled server) signs out.
    const out = await web.bridge('signOut', { profileId });
    expect(out.ok, JSON.stringify(out)).toBe(true);
    await page.reload();
    await shown(heading(/^Sign in to /), 20_000);
    noSerious(await audit('sign-in'));
  }, 60_000);

  it('the pages threw no uncaught errors', () => {
    if (kit.consoleErrors.length) process.stdout.write(`a11y e2e: console errors in the page:\n  ${kit.consoleErrors.join('\n  ')}\n`);
    expect(kit.pageErrors).toEqual([]);
  });
});
