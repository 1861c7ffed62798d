/// <reference lib="dom" />
// The console acts only on what the admin sees, end to end: web mode as a real
// child process, three real servers whose users share ids (the bundled server,
// another Graphistry Admin server, and a Graphistry: the Django peer), the
// built renderer in Chromium. A switch from the header clears the screen in
// the same frame; a bulk action changes exactly the users chosen, on the
// connection shown, and its Undo exactly those it changed; all of it works
// from the keyboard alone, with focus where the admin expects it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import SQLite from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { User } from '../../src-shared/domain.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { Backend } from '../../src-main/contracts.ts';
import { chromiumMissing, launchChromium } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
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
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const missing = chromiumMissing() ?? (await djangoMissing());
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console connections e2e.\n\n`);

const PASSWORD = 'correct horse battery staple';
const HERE = 'This computer';
const TEAM = 'Team server';
const GRAPHISTRY = 'Graphistry';
/** Seeded into the bundled server for the "all matching" run: u000001 … (every 11th inactive). */
const SEEDED = 1_200;

/** What one animation frame showed: read in the page, every frame, from the moment of a switch. */
interface Frame {
  t: number;
  text: string;
  checked: number;
  search: string | null;
  connection: string;
}

(missing ? describe.skip : describe)('the console acts only on what the admin sees (web mode, three servers with the same ids)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let team: TestApp;
  let teamUrl = '';
  let hereUrl = '';
  let peer: DjangoPeer;
  let graphistry: Backend;
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'connections' });
  const { shown, hasText, main, heading, diagnoseOnFailure, shots } = kit;
  const rows = () => main().locator('table.users-table tbody tr');
  const row = (username: string) => rows().filter({ has: page.getByRole('link', { name: username, exact: true }) });
  const search = () => page.getByLabel('Search users');

  async function bridge<T>(method: string, params: unknown = {}): Promise<T> {
    const r = await web.bridge<T>(method, params);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value;
  }
  const userOn = async (url: string, username: string): Promise<User> => {
    const jwt = await jwtFor(url, 'admin', PASSWORD);
    const r = await api('GET', `${url}/api/v2/admin/users?search=${encodeURIComponent(username)}&page_size=50`, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    const found = (r.body.results as User[]).find((u) => u.username === username);
    if (!found) throw new Error(`${username} not on ${url}`);
    return found;
  };
  const peerUser = async (username: string) =>
    (await graphistry.listUsers({ search: username, ordering: 'username' })).results.find((u) => u.username === username)!;

  /** Choose a connection from the header's menu. */
  async function switchTo(name: string) {
    await page.getByRole('button', { name: /^Connection: / }).click();
    await page.getByRole('menuitemradio', { name, exact: true }).click();
  }

  /**
   * Record every animation frame from now on (in the page): the text of the
   * content pane, the ticked rows, the search box, the connection named in
   * the header. `stop()` returns the frames.
   */
  async function recordFrames() {
    await page.evaluate(() => {
      const w = window as unknown as { __frames: Frame[]; __recording: boolean; __chosenAt: number; __t0: number; __listening?: boolean };
      w.__frames = [];
      w.__recording = true;
      w.__chosenAt = Infinity;
      w.__t0 = performance.now();
      // The moment the admin chooses a connection in the header's menu (one listener for the page's life).
      if (!w.__listening) {
        w.__listening = true;
        document.addEventListener(
          'click',
          (e) => {
            if (w.__recording && w.__chosenAt === Infinity && (e.target as Element | null)?.closest('[role=menuitemradio]'))
              w.__chosenAt = performance.now() - w.__t0;
          },
          { capture: true },
        );
      }
      const tick = () => {
        const main = document.querySelector('#main') as HTMLElement | null;
        w.__frames.push({
          t: Math.round(performance.now() - w.__t0),
          text: main?.innerText ?? '',
          checked: document.querySelectorAll('#main tbody input[type=checkbox]:checked').length,
          search: (document.querySelector('#main input[type=search]') as HTMLInputElement | null)?.value ?? null,
          connection: document.querySelector('header [aria-haspopup=menu].switch-button')?.textContent ?? '',
        });
        if (w.__recording) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return {
      /** The frames drawn after the choice was made. */
      stop: () =>
        page.evaluate(() => {
          const w = window as unknown as { __frames: Frame[]; __recording: boolean; __chosenAt: number };
          w.__recording = false;
          return w.__frames.filter((f) => f.t > w.__chosenAt);
        }),
    };
  }

  /** Tick one user's row on the current connection after finding them by search. */
  /** Search, and wait until the list shows just what the search matches. */
  async function find(text: string, matches = 1) {
    await search().fill(text);
    await hasText(main().locator('.head-count'), matches === 1 ? /^1 user match$/ : new RegExp(`^${matches.toLocaleString('en-US')} users match$`));
  }

  async function tick(username: string) {
    await find(username);
    await shown(row(username));
    await row(username).getByRole('checkbox').check();
  }

  /**
   * From a connection with `mine` (a user) ticked and a search typed, switch
   * to `to`: from the first frame on, none of `mine`'s rows or names is on
   * screen, nothing is ticked and the search box, once there, is empty.
   */
  async function switchClears(from: { mine: string }, to: string, theirs: string) {
    await tick(from.mine);
    const rec = await recordFrames();
    await switchTo(to);
    await hasText(page.locator('header .switch-button'), to);
    await hasText(page.locator('header'), /Online/);
    await expect
      .poll(
        () =>
          rows()
            .filter({ has: page.getByRole('link') })
            .count(),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    // A few frames of the new list too.
    await page.waitForTimeout(300);
    const after = await rec.stop();
    expect(after.length, 'frames recorded').toBeGreaterThan(2);
    process.stdout.write(
      `connections e2e: ${from.mine} -> ${to}: ${after.length} frames; ${after
        .map((f) => `${f.t}ms ${JSON.stringify(f.text.slice(0, 40))}`)
        .slice(0, 6)
        .join(', ')}\n`,
    );
    for (const f of after) {
      expect(f.text.includes(from.mine), `frame at ${f.t} ms still shows ${from.mine}: ${f.text.slice(0, 200)}`).toBe(false);
      expect(f.checked, `frame at ${f.t} ms has ticked rows`).toBe(0);
      if (f.search !== null) expect(f.search, `frame at ${f.t} ms keeps a search`).toBe('');
    }
    expect(
      after.some((f) => f.text.includes(`Connecting to ${to}`)),
      'a "Connecting to" frame',
    ).toBe(true);
    await find(theirs);
    await shown(row(theirs));
  }

  /** Bulk-deactivate the ticked rows through the confirmation, which must name the count and the connection. */
  async function deactivateTicked(count: number, where: string) {
    await main().getByRole('button', { name: 'Deactivate', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Deactivate ${count === 1 ? '1 user' : `${count.toLocaleString('en-US')} users`} on “${where}”?` });
    await shown(dialog);
    await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
  }

  beforeAll(async () => {
    process.stdout.write(`connections e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    dataDir = tempDir();
    web = await startConsoleWeb(dataDir);
    // The bundled server: admin (1), dana.analyst (2), then the seeded users.
    const started = await bridge<{ url: string }>('startBundledServer');
    hereUrl = started.url;
    const here = await bridge<{ id: string }>('saveProfile', { name: HERE, kind: 'bundled' });
    await bridge('signUpFirstAdmin', { profileId: here.id, username: 'admin', password: PASSWORD });
    const hereJwt = await jwtFor(hereUrl, 'admin', PASSWORD);
    for (const username of ['dana.analyst', 'erin.analyst', 'frank.analyst', 'gus.analyst'])
      expect(
        (await api('POST', `${hereUrl}/api/v2/admin/users`, { headers: { authorization: `Bearer ${hereJwt}` }, body: { username, password: PASSWORD } }))
          .status,
      ).toBe(201);
    seedUsers(bundledSqliteFile(dataDir), SEEDED);

    // Another Graphistry Admin server: admin (1), bruno.smith1 (2), bruno.smith2 (3).
    team = await makeTestApp('sqlite');
    await team.app.listen({ host: '127.0.0.1', port: 0 });
    teamUrl = `http://127.0.0.1:${(team.app.server.address() as AddressInfo).port}`;
    expect((await api('POST', `${teamUrl}/api/v2/auth/signup`, { body: { username: 'admin', password: PASSWORD } })).status).toBe(201);
    const teamJwt = await jwtFor(teamUrl, 'admin', PASSWORD);
    for (const username of ['bruno.smith1', 'bruno.smith2'])
      expect(
        (await api('POST', `${teamUrl}/api/v2/admin/users`, { headers: { authorization: `Bearer ${teamJwt}` }, body: { username, password: PASSWORD } }))
          .status,
      ).toBe(201);
    const teamProfile = await bridge<{ id: string }>('saveProfile', { name: TEAM, kind: 'remote', url: teamUrl });
    await bridge('signIn', { profileId: teamProfile.id, username: 'admin', password: PASSWORD });

    // A Graphistry: admin (1), carla.peer (2).
    peer = await startDjangoPeer();
    await peer.shell("from users.models import User\nUser.objects.create_user('carla.peer', password='carla has a passphrase')");
    graphistry = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
      type: 'admin_password',
      username: PEER_ADMIN.username,
      password: async () => PEER_ADMIN.password,
    });
    const g = await bridge<{ id: string }>('saveProfile', { name: GRAPHISTRY, kind: 'remote', url: peer.url });
    await bridge('signIn', { profileId: g.id, username: PEER_ADMIN.username, password: PEER_ADMIN.password });

    // Start on the bundled server.
    await bridge('connect', { profileId: here.id });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(`${web.url}#/users`);
    await shown(heading('Users'), 20_000);
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    await team?.close();
    await peer?.stop();
  });

  it('the same id is a different person on each server', async () => {
    expect((await userOn(hereUrl, 'dana.analyst')).id).toBe(2);
    expect((await userOn(teamUrl, 'bruno.smith1')).id).toBe(2);
    expect((await peerUser('carla.peer')).id).toBe(2);
  });

  it('bundled -> Team from the header: cleared from the first frame; a bulk deactivate on Team changes exactly bruno.smith1, and dana.analyst (id 2 here) is untouched', async () => {
    diagnoseOnFailure('here-to-team');
    await switchClears({ mine: 'dana.analyst' }, TEAM, 'bruno.smith1');
    await row('bruno.smith1').getByRole('checkbox').check();
    await deactivateTicked(1, TEAM);
    await expect.poll(async () => (await userOn(teamUrl, 'bruno.smith1')).is_active).toBe(false);
    expect((await userOn(teamUrl, 'bruno.smith2')).is_active).toBe(true);
    expect((await userOn(hereUrl, 'dana.analyst')).is_active).toBe(true);
  });

  it('Team -> bundled: the same the other way (bruno.smith2, id 3 there, is untouched when erin.analyst, id 3 here, is deactivated)', async () => {
    diagnoseOnFailure('team-to-here');
    await switchClears({ mine: 'bruno.smith2' }, HERE, 'erin.analyst');
    await row('erin.analyst').getByRole('checkbox').check();
    await deactivateTicked(1, HERE);
    await expect.poll(async () => (await userOn(hereUrl, 'erin.analyst')).is_active).toBe(false);
    expect((await userOn(teamUrl, 'bruno.smith2')).is_active).toBe(true);
  });

  it('bundled <-> Graphistry (the Django peer): cleared at once both ways, and each bulk action lands only on its own server', async () => {
    diagnoseOnFailure('graphistry');
    await switchClears({ mine: 'dana.analyst' }, GRAPHISTRY, 'carla.peer');
    await row('carla.peer').getByRole('checkbox').check();
    await deactivateTicked(1, GRAPHISTRY);
    await expect.poll(async () => (await peerUser('carla.peer')).is_active).toBe(false);
    expect((await userOn(hereUrl, 'dana.analyst')).is_active).toBe(true);
    expect((await userOn(teamUrl, 'bruno.smith1')).is_active).toBe(false);

    await switchClears({ mine: 'carla.peer' }, HERE, 'dana.analyst');
    await row('dana.analyst').getByRole('checkbox').check();
    await deactivateTicked(1, HERE);
    await expect.poll(async () => (await userOn(hereUrl, 'dana.analyst')).is_active).toBe(false);
    expect((await peerUser('carla.peer')).is_active).toBe(false);
    expect((await peerUser('admin')).is_active).toBe(true);
  }, 90_000);

  it('Undo puts back exactly what the action changed: a user deactivated beforehand stays inactive, and the toast counts only the changed', async () => {
    diagnoseOnFailure('undo');
    // dana.analyst and erin.analyst are inactive from the steps above; frank and gus are active.
    await find('.analyst', 4);
    await page.getByLabel('Select all on this page').check();
    await deactivateTicked(4, HERE);
    const toast = page.locator('.toast', { hasText: 'Deactivated 2 users' });
    await shown(toast);
    expect(await toast.innerText()).toMatch(/Deactivated 2 users on “This computer” · 2 users were already inactive/);
    await shots('bulk-undo-toast', [1280]);
    await expect.poll(async () => (await userOn(hereUrl, 'gus.analyst')).is_active).toBe(false);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await userOn(hereUrl, 'frank.analyst')).is_active).toBe(true);
    await expect.poll(async () => (await userOn(hereUrl, 'gus.analyst')).is_active).toBe(true);
    expect((await userOn(hereUrl, 'dana.analyst')).is_active).toBe(false);
    expect((await userOn(hereUrl, 'erin.analyst')).is_active).toBe(false);
  });

  it(`every matching user (${SEEDED.toLocaleString('en-US')}), not just the page: the confirmation names the exact count and the connection, a progress bar runs, and Undo restores each user's own state`, async () => {
    diagnoseOnFailure('all-matching');
    const db = new SQLite(bundledSqliteFile(dataDir), { readonly: true });
    const inactive = () =>
      (db.prepare("select id from users where is_active = 0 and username like 'u0%' order by id").all() as Array<{ id: number }>).map((r) => r.id);
    try {
      const before = inactive();
      expect(before.length).toBe(Math.floor(SEEDED / 11));
      await find('u00', SEEDED);
      await page.getByLabel('Select all on this page').check();
      await main()
        .getByRole('button', { name: `Select all ${SEEDED.toLocaleString('en-US')} matching users` })
        .click();
      await hasText(main().locator('.bulk'), `All ${SEEDED.toLocaleString('en-US')} matching users selected`);
      await shots('all-matching-selected');
      // Watch for the progress bar (the run takes about a second).
      await page.evaluate(() => {
        const w = window as unknown as { __progress: number[] };
        w.__progress = [];
        new MutationObserver(() => {
          const p = document.querySelector('.bulk-progress progress') as HTMLProgressElement | null;
          if (p) w.__progress.push(p.value);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await deactivateTicked(SEEDED, HERE);
      const changed = SEEDED - before.length;
      const toast = page.locator('.toast', { hasText: `Deactivated ${changed.toLocaleString('en-US')} users` });
      await shown(toast, 60_000);
      expect(await toast.innerText()).toContain(`${before.length} users were already inactive`);
      const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
      expect(progress.length, 'progress bar updates seen').toBeGreaterThan(2);
      expect(Math.max(...progress)).toBeGreaterThan(0);
      expect(inactive().length).toBe(SEEDED);
      await toast.getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => inactive().length, { timeout: 60_000 }).toBe(before.length);
      expect(inactive()).toEqual(before);
      // The other users of this server were never touched.
      expect((await userOn(hereUrl, 'frank.analyst')).is_active).toBe(true);
    } finally {
      db.close();
    }
  }, 120_000);

  it('keyboard only: find a user, bulk-deactivate, Undo, page 5, switch connection; focus where it should be after each step', async () => {
    diagnoseOnFailure('keyboard');
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return e
          ? `${e.tagName.toLowerCase()}|${e.getAttribute('aria-label') ?? (e instanceof HTMLInputElement ? e.type : '')}|${(e.innerText ?? '').trim().slice(0, 40)}|${e.closest('.toast') ? 'toast' : e.closest('table') ? 'table' : e.closest('header') ? 'header' : e.closest('.pager') ? 'pager' : ''}`
          : 'none';
      });
    /** Press Tab (or Shift+Tab) until `want` is focused; fails after `max` presses. */
    async function tabTo(want: RegExp, back = false, max = 60) {
      for (let i = 0; i < max; i++) {
        if (want.test(await focused())) return i;
        await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      }
      throw new Error(`never reached ${want} (last: ${await focused()})`);
    }
    await page.goto(`${web.url}#/users`);
    await shown(heading('Users'), 20_000);
    // The first Tab from the top of the page reaches the skip link.
    // From the very top of the page (focus on the body itself).
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/Skip to content/);

    // Find a user: "/" puts the cursor in the search box.
    await page.locator('#main').focus();
    await page.keyboard.press('/');
    expect(await focused()).toMatch(/^input\|search/);
    await page.keyboard.type('frank.analyst');
    // Once the search has settled (a query change drops the selection, as it shows other rows).
    await hasText(main().locator('.head-count'), /^1 user match$/);
    await shown(row('frank.analyst'));
    await tabTo(/Select frank\.analyst/);
    await page.keyboard.press('Space');
    expect(await row('frank.analyst').getByRole('checkbox').isChecked()).toBe(true);

    // Bulk-deactivate: back to the selection's Deactivate, Enter, then confirm in the dialog (it opens on Cancel).
    await tabTo(/^button\|\|Deactivate\|$/, true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Deactivate 1 user on “${HERE}”?` });
    await shown(dialog);
    expect(await focused()).toMatch(/Cancel/);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^button\|\|Deactivate/);
    await page.keyboard.press('Enter');
    // Focus goes to the toast's Undo: one key away.
    await expect.poll(focused).toMatch(/^button\|\|Undo\|toast$/);
    await expect.poll(async () => (await userOn(hereUrl, 'frank.analyst')).is_active).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await userOn(hereUrl, 'frank.analyst')).is_active).toBe(true);
    // And back to the table.
    await expect.poll(focused).toMatch(/\|table$/);

    // Page 5: clear the search, then the page field (a few Tabs from the search box, not past every row).
    await page.locator('#main').focus();
    await page.keyboard.press('/');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    await hasText(main().locator('.pager-summary'), /^Page 1 of 25 /);
    // The page field, not the dormancy filter's days (also a number field) on the way to it.
    const presses = await tabTo(/^input\|number\|.*\|pager$/);
    expect(presses, 'Tabs from the search box to the page field').toBeLessThan(20);
    await page.keyboard.press('Control+a');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');
    await hasText(main().locator('.pager-summary'), /^Page 5 of/);
    expect(await focused()).toMatch(/^input\|number\|.*\|pager$/);
    await expect.poll(() => page.url()).toContain('page=5');
    // ] and [ page on from anywhere but a field.
    await page.locator('#main').focus();
    await page.keyboard.press(']');
    await hasText(main().locator('.pager-summary'), /^Page 6 of/);
    await page.keyboard.press('[');
    await hasText(main().locator('.pager-summary'), /^Page 5 of/);

    // Switch connection: the header's menu button; arrows move without switching, Escape closes back onto the button.
    await tabTo(/^button\|Connection: /, true);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatch(new RegExp(`^button\\|\\|${HERE}`));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    expect(await page.locator('header .switch-button').innerText()).toContain(HERE);
    await hasText(main().locator('.pager-summary'), /^Page 5 of/);
    await shots('connection-menu', [1280]);
    await page.keyboard.press('Escape');
    expect(await focused()).toMatch(/^button\|Connection: /);
    // Open again (on the connection in use) and move to Team with the arrows; only Enter switches.
    await page.keyboard.press('Enter');
    for (let i = 0; i < 5 && !new RegExp(TEAM).test(await focused()); i++) await page.keyboard.press('ArrowDown');
    expect(await focused()).toMatch(new RegExp(TEAM));
    await page.keyboard.press('Enter');
    await hasText(page.locator('header .switch-button'), TEAM);
    await shown(row('bruno.smith2'));
    // Team's Users, from scratch: page 1, and the cursor in its search box.
    await hasText(main().locator('.pager-summary'), /^Page 1 of/);
    await expect.poll(focused).toMatch(/^input\|search/);
  }, 90_000);

  it("a switch made in another tab: this tab's open editor saves nothing anywhere, and the tab lands on the new connection's Users, not on the same id there", async () => {
    diagnoseOnFailure('other-tab');
    // This tab (on Team, after the keyboard step): bruno.smith2 (id 3) open in the editor, an edit typed.
    const bruno = await userOn(teamUrl, 'bruno.smith2');
    await page.goto(`${web.url}#/users/${bruno.id}`);
    await shown(heading('bruno.smith2'), 20_000);
    await main().getByLabel('Email').fill('moved@example.com');
    // Another tab of the same console switches to the bundled server, where id 3 is erin.analyst.
    const other = await context.newPage();
    await other.goto(`${web.url}#/users`);
    await other.getByRole('button', { name: /^Connection: / }).click();
    await other.getByRole('menuitemradio', { name: HERE, exact: true }).click();
    await other.locator('header .switch-button', { hasText: HERE }).waitFor();
    // Back here: Save is refused (prepared for Team), and the screen follows the console to the bundled server's Users.
    await main().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/#\/users$/);
    await hasText(page.locator('header .switch-button'), HERE);
    await shown(heading('Users'));
    await shown(page.locator('.toast', { hasText: `now connected to ${HERE} (changed in another window)` }));
    expect((await userOn(teamUrl, 'bruno.smith2')).email).toBeNull();
    const erin = await userOn(hereUrl, 'erin.analyst');
    expect(erin.id).toBe(bruno.id);
    expect(erin.email).toBeNull();
    await other.close();
  }, 60_000);

  it('the pages threw no uncaught errors', () => {
    if (kit.consoleErrors.length) process.stdout.write(`connections e2e: console errors in the page:\n  ${kit.consoleErrors.join('\n  ')}\n`);
    expect(kit.pageErrors).toEqual([]);
  });
});
