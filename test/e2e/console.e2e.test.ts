/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The console end to end, as a new admin would use it: `scripts/console-web.ts`
// as a real child process (web mode), its real bundled server, the built
// renderer in Debian's Chromium. Each step is one test; they share one page
// and run in order. A later step that needs an earlier one's result sets it
// up through the bridge when that step failed, so one broken screen does not
// hide the state of the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism, loadavg } from 'node:os';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import {
  api,
  bundledServerDir,
  bundledSqliteFile,
  ensureRendererBuilt,
  jwtFor,
  seededUsername,
  seedUsers,
  serveProcessesFor,
  serverUser,
  startConsoleWeb,
  stopConsoleAndClean,
  tempDir,
  type ConsoleWeb,
} from '../helpers/console-web.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console e2e (web mode in Chromium).\n\n`);

const ADMIN = { username: 'admin', email: 'admin@example.com', password: 'correct horse battery staple' };
const MEMBER = { username: 'dana.analyst', password: 'dana keeps a long passphrase' };
const KEY_NAME = 'e2e notebook';
// E2E_SEED_USERS=1000000 runs the performance step at a million users (bulk-seeded in about a minute).
const SEED_COUNT = Number(process.env.E2E_SEED_USERS) || 100_000;
const SEED_SCALE = Math.max(1, SEED_COUNT / 100_000);
/** The seeded total as the page writes it (a few users more than SEED_COUNT): 100,00x. */
const seededTotal = (suffix = '') => new RegExp(`${SEED_COUNT.toLocaleString('en-US').slice(0, -1).replaceAll(',', '[,.\\u202f\\u00a0 ]?')}\\d${suffix}`);
/** u042420 … u042429: exactly ten seeded users. */
const NEEDLE = 'u04242';

// The targets are 1 s and 300 ms; the assertions are loose on purpose (shared CI machines), the log is exact.
const FIRST_PAGE_LIMIT_MS = 3_000;
const SEARCH_LIMIT_MS = 1_500;

(missing ? describe.skip : describe)('console in Chromium (web mode, real bundled server)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let serverUrl = '';
  let serverPid: number | null = null;
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'console' });
  const { shown, gone, checked, hasText, main, heading, nav, shots, diagnoseOnFailure, pageErrors, consoleErrors, shotsTaken } = kit;

  beforeAll(async () => {
    process.stdout.write(`console e2e: ${ensureRendererBuilt()}\n`);
    kit.clearShots();
    dataDir = tempDir();
    web = await startConsoleWeb(dataDir);
    process.stdout.write(`console e2e: console-web pid ${web.pid} at ${web.origin} (keychain: ${web.keychain ? 'throwaway gnome-keyring' : 'none'})\n`);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.origin });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
    await page.goto(web.url);
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    if (shotsTaken.length) process.stdout.write(`console e2e: screenshots (${kit.shotsMs()} ms) in ${screenshotDir()}: ${shotsTaken.join(', ')}\n`);
  });

  // ---- helpers -------------------------------------------------------------------------

  async function bundledUrl(): Promise<string> {
    const s = await web.bridge<{ state: string; url: string | null; pid: number | null }>('bundledServerStatus');
    if (!s.ok || !s.value.url) throw new Error(`the bundled server is not running: ${JSON.stringify(s)}`);
    serverPid = s.value.pid;
    return s.value.url;
  }

  const adminJwt = async () => jwtFor(serverUrl, ADMIN.username, ADMIN.password);

  /** A fresh load of the console at a screen (the token is in the printed URL only; the page strips it). */
  async function reopen(hash = '#/users') {
    await page.goto(`${web.url}${hash}`);
  }

  /**
   * The state step 1 leaves (bundled server running, first admin signed in),
   * made through the bridge when the wizard could not make it, so the other
   * screens are still tested.
   */
  async function ensureConnected() {
    const st = await web.bridge<{ connected: boolean }>('connectionStatus');
    if (st.ok && st.value.connected) {
      if (!serverUrl) serverUrl = await bundledUrl();
      return;
    }
    process.stderr.write('!!! not connected after the wizard step: setting up through the bridge to test the other screens\n');
    const started = await web.bridge('startBundledServer');
    if (!started.ok) throw new Error(`startBundledServer: ${JSON.stringify(started)}`);
    const profiles = await web.bridge<Array<{ id: string; kind: string }>>('listProfiles');
    let profileId = profiles.ok ? profiles.value.find((p) => p.kind === 'bundled')?.id : undefined;
    if (!profileId) {
      const saved = await web.bridge<{ id: string }>('saveProfile', { name: 'Bundled server', kind: 'bundled' });
      if (!saved.ok) throw new Error(`saveProfile: ${JSON.stringify(saved)}`);
      profileId = saved.value.id;
    }
    const reg = await web.bridge('registrationState', { profileId });
    serverUrl = await bundledUrl();
    // The admin exists when the wizard got as far as creating it: then sign in, else create it.
    const login = await api('POST', `${serverUrl}/api/v2/auth/token/generate`, { body: { username: ADMIN.username, password: ADMIN.password } });
    const r =
      login.status === 200
        ? await web.bridge('signIn', { profileId, username: ADMIN.username, password: ADMIN.password })
        : await web.bridge('signUpFirstAdmin', { profileId, username: ADMIN.username, password: ADMIN.password });
    if (!r.ok) throw new Error(`signing in through the bridge: ${JSON.stringify(r)} (registration: ${JSON.stringify(reg)})`);
    await reopen('#/users');
  }

  /** The member made in step 2, made through the bridge when that step could not. */
  async function ensureMember(): Promise<number> {
    await ensureConnected();
    const jwt = await adminJwt();
    const found = await serverUser(serverUrl, jwt, MEMBER.username);
    if (found) return found.id;
    process.stderr.write('!!! the member from step 2 is missing: creating it through the bridge\n');
    const r = await web.bridge<{ user: { id: number } }>('createUser', { username: MEMBER.username, password: MEMBER.password });
    if (!r.ok) throw new Error(`createUser: ${JSON.stringify(r)}`);
    return r.value.user.id;
  }

  /** The Users manager's data rows (header row excluded). */
  const userRows = () => main().locator('table tbody tr');

  /** Open a user in the editor from the Users manager (usernames are buttons or links). */
  async function openUserFromList(username: string) {
    await nav('Users');
    await expect.poll(() => heading('Users').isVisible()).toBe(true);
    const search = page.getByLabel('Search users');
    await search.fill(username);
    const target = main()
      .getByRole('button', { name: username, exact: true })
      .or(main().getByRole('link', { name: username, exact: true }))
      .first();
    await target.click();
    await shown(heading(username));
  }

  /**
   * Where the time between two marks went, from the page's resource timings:
   * the wait before the listUsers bridge call (debounce, React), the call itself
   * (page -> console host -> bundled server and back), and the render after it.
   */
  async function listUsersTimings(slot: string, from: string, to: string): Promise<string> {
    return page.evaluate(
      ({ slot, from, to }) => {
        const marks = (window as unknown as Record<string, Record<string, number>>)[slot]!;
        const t0 = marks[from]!;
        const t1 = marks[to]!;
        const calls = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
          (e) => e.name.includes('/bridge/listUsers') && e.startTime >= t0 - 1 && e.startTime <= t1,
        );
        const last = calls.at(-1);
        if (!last) return `no listUsers call between the marks (${calls.length})`;
        const ms = (n: number) => `${Math.round(n)} ms`;
        // Main-thread work over 50 ms (Long Tasks API) after the response: the page's own rendering cost,
        // as opposed to waiting for a CPU on a busy machine.
        const tasks = ((window as unknown as { __longTasks?: Array<[number, number]> }).__longTasks ?? []).filter(
          ([start]) => start >= last.responseEnd - 1 && start <= t1,
        );
        const busy = tasks.reduce((sum, [, d]) => sum + d, 0);
        return `${calls.length} listUsers call(s); before the call ${ms(last.startTime - t0)}, the call ${ms(last.responseEnd - last.startTime)}, after it until the rows showed ${ms(t1 - last.responseEnd)} (long tasks in that part: ${tasks.length}, ${ms(busy)})`;
      },
      { slot, from, to },
    );
  }

  /** The bundled server's own response time for the last request whose URL matches, from its log (one line per request: "METHOD URL STATUS" and ms). */
  async function serverMs(match: (url: string) => boolean): Promise<string> {
    const log = await web.bridge<{ lines: string[] }>('bundledServerLog', { lines: 2_000 });
    if (!log.ok) return 'unknown (no log)';
    const entries = log.value.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; ms?: number }];
      } catch {
        return [];
      }
    });
    const done = entries.filter((e) => typeof e.ms === 'number' && match(e.msg?.split(' ')[1] ?? '')).at(-1);
    return done ? `${Math.round(done.ms!)} ms` : 'unknown (not in the log)';
  }

  /**
   * Empty the search box and wait for the unfiltered table, then type `needle` (ten seeded users match)
   * and time, inside the page, from the last keystroke's input event until the table shows exactly those ten.
   */
  async function timeSearch(needle: string): Promise<number> {
    await watchLongTasks();
    const search = page.getByLabel('Search users');
    if ((await search.inputValue()) !== '') {
      await search.fill('');
      await hasText(main(), seededTotal(' users'));
    }
    await search.click();
    await page.evaluate((needle) => {
      performance.setResourceTimingBufferSize(5_000);
      performance.clearResourceTimings();
      const w = window as unknown as { __search: { lastInput: number | null; end: number | null } };
      w.__search = { lastInput: null, end: null };
      const onInput = () => (w.__search.lastInput = performance.now());
      document.addEventListener('input', onInput, { capture: true });
      const tick = () => {
        const rows = [...document.querySelectorAll('#main table tbody tr')].filter((r) => (r as HTMLElement).offsetParent !== null);
        const input = document.activeElement as HTMLInputElement | null;
        if (input?.value === needle && rows.length === 10 && rows.every((r) => (r.textContent ?? '').includes(needle))) {
          w.__search.end = performance.now();
          document.removeEventListener('input', onInput, { capture: true });
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, needle);
    await page.keyboard.type(needle, { delay: 60 });
    await page.waitForFunction(() => (window as unknown as { __search: { end: number | null } }).__search.end !== null, undefined, { timeout: 20_000 });
    return page.evaluate(() => {
      const s = (window as unknown as { __search: { lastInput: number; end: number } }).__search;
      return Math.round(s.end - s.lastInput);
    });
  }

  /** Record the page's long tasks (main-thread work over 50 ms) from now on, once per document. */
  async function watchLongTasks() {
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks?: Array<[number, number]> };
      if (w.__longTasks) return;
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks!.push([e.startTime, e.duration]);
      }).observe({ type: 'longtask', buffered: true });
    });
  }

  /** Click "Users" in the sidebar; the time inside the page from that click until a seeded row is in the table. */
  async function timeOpeningUsers(): Promise<number> {
    await watchLongTasks();
    await page.evaluate(() => {
      performance.setResourceTimingBufferSize(5_000);
      performance.clearResourceTimings();
      const w = window as unknown as { __perf: { start: number | null; end: number | null } };
      w.__perf = { start: null, end: null };
      const nav = document.querySelector('nav[aria-label="Screens"]');
      nav?.addEventListener('click', () => (w.__perf.start ??= performance.now()), { capture: true, once: true });
      const tick = () => {
        const rows = [...document.querySelectorAll('#main table tbody tr')].filter((r) => (r as HTMLElement).offsetParent !== null);
        if (w.__perf.start !== null && rows.some((r) => /u\d{6}/.test(r.textContent ?? ''))) w.__perf.end = performance.now();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await nav('Users');
    await page.waitForFunction(() => (window as unknown as { __perf: { end: number | null } }).__perf.end !== null, undefined, { timeout: 20_000 });
    return page.evaluate(() => {
      const p = (window as unknown as { __perf: { start: number; end: number } }).__perf;
      return Math.round(p.end - p.start);
    });
  }

  const checkbox = (label: string): Locator => main().getByLabel(label, { exact: true });

  // ---- 1. first run --------------------------------------------------------------------

  it('1. first run: wizard -> start the bundled server -> create the first administrator -> Users manager', async () => {
    diagnoseOnFailure('1-wizard');
    await shown(heading('Set up Graphistry Admin'));
    await shots('01-wizard-choose');

    const clickedStart = Date.now();
    await page.getByRole('button', { name: 'Start the bundled server' }).click();
    // Starting takes a moment (real process, migrations, health check); the progress step may be too quick to catch.
    const form = heading('Create the first administrator');
    const progress = main().getByRole('status').first();
    if (await progress.isVisible().catch(() => false)) await shots('02-wizard-starting').catch(() => undefined);
    await shown(form, 45_000);
    const serverReadyMs = Date.now() - clickedStart;
    expect(await main().innerText()).toMatch(/superuser/i);
    await shots('03-wizard-first-admin');

    await main().getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await main().getByLabel('Email').fill(ADMIN.email);
    await main().getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await main().getByLabel('Password again').fill(ADMIN.password);
    const clickedCreate = Date.now();
    await page.getByRole('button', { name: 'Create administrator' }).click();

    await shown(heading('Users'), 30_000);
    await shown(userRows().filter({ hasText: ADMIN.username }).first());
    console.log(
      `PERF wizard: "Start the bundled server" -> the first-admin form ${serverReadyMs} ms; "Create administrator" -> Users manager with the admin's row ${Date.now() - clickedCreate} ms`,
    );
    await shots('04-users-manager');

    serverUrl = await bundledUrl();
    const me = await serverUser(serverUrl, await adminJwt(), ADMIN.username);
    expect(me).toMatchObject({ is_superuser: true, is_staff: true, is_active: true, email: ADMIN.email });
  }, 90_000);

  // ---- 2. add a user, then make them staff -----------------------------------------------

  it('2. Add user -> Save and continue editing -> tick Staff status -> Save: the server reports the user as staff', async () => {
    diagnoseOnFailure('2-add-user');
    await ensureConnected();
    await nav('Users');
    await shown(heading('Users'));
    await main().getByRole('button', { name: 'Add user' }).click();
    await shown(heading('Add user'));
    await shots('05-user-editor-new');

    await main().getByLabel('Username', { exact: true }).fill(MEMBER.username);
    await main().getByLabel('Password', { exact: true }).fill(MEMBER.password);
    await main().getByLabel('Password again').fill(MEMBER.password);
    await main().getByRole('button', { name: 'Save and continue editing' }).click();

    // Now the editor of an existing user: headed with the username.
    await shown(heading(MEMBER.username), 20_000);
    const jwt = await adminJwt();
    const created = await serverUser(serverUrl, jwt, MEMBER.username);
    expect(created).toMatchObject({ is_staff: false, is_superuser: false, is_active: true });

    const staff = checkbox('Staff status');
    await checked(staff, false);
    await checked(checkbox('Superuser status'), false);
    await staff.check();
    await shots('06-user-editor-existing');
    await main().getByRole('button', { name: 'Save', exact: true }).click();

    await expect.poll(async () => (await serverUser(serverUrl, jwt, MEMBER.username))?.is_staff, { timeout: 10_000 }).toBe(true);
    const after = await serverUser(serverUrl, jwt, MEMBER.username);
    expect(after).toMatchObject({ is_staff: true, is_superuser: false, is_active: true });
    // And the member can sign in with the password the editor set.
    expect((await api('POST', `${serverUrl}/api/v2/auth/token/generate`, { body: MEMBER })).status).toBe(200);
  }, 60_000);

  // ---- 3. registration switch ------------------------------------------------------------

  it('3. Registration & settings: open registration -> a sign-up succeeds; close it -> a sign-up gets 403 SIGNUPS_CLOSED', async () => {
    diagnoseOnFailure('3-settings');
    await ensureConnected();
    const jwt = await adminJwt();
    const setting = async () => {
      const r = await api('GET', `${serverUrl}/api/v2/admin/settings`, { headers: { authorization: `Bearer ${jwt}` } });
      return (r.body.results as Array<{ key: string; value: unknown }>).find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.value;
    };
    const signup = (username: string) => api('POST', `${serverUrl}/api/v2/auth/signup`, { body: { username, password: 'a sign-up passphrase 123' } });

    // Closed to start with: the first administrator closed it.
    expect(await setting()).toBe(false);
    await nav('Registration & settings');
    await shown(heading('Registration & settings'));
    const open = main().getByRole('switch', { name: 'Open registration' });
    await checked(open, false);

    await open.click();
    await checked(open, true);
    await expect.poll(setting, { timeout: 10_000 }).toBe(true);
    await shots('07-settings-registration-open');
    const first = await signup('self.registered');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((first.body.user as { is_superuser: boolean }).is_superuser).toBe(false);

    await open.click();
    await checked(open, false);
    await expect.poll(setting, { timeout: 10_000 }).toBe(false);
    const refused = await signup('too.late');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('SIGNUPS_CLOSED');
    // The screen still says so after a fresh load (the switch reflects the server, not local state).
    await reopen('#/settings');
    await checked(main().getByRole('switch', { name: 'Open registration' }), false);
    await shown(main().getByRole('switch', { name: 'Make self-registered users staff' }));
    await shots('08-settings');
  }, 60_000);

  it('3b. shareable links: the sign-up link sits by the registration switch and says when it only works on this computer; the public URL makes invitation links for others; the invitations list says who used each', async () => {
    diagnoseOnFailure('3b-links');
    await ensureConnected();
    await nav('Registration & settings');
    await shown(heading('Registration & settings'));
    const share = main().locator('.share-link');
    await hasText(share, `${serverUrl}/accounts/signup/`);
    await hasText(share, /only works on this computer/);
    // The link works: the server's own sign-up page (it says sign-up is closed, as it is).
    expect((await api('GET', `${serverUrl}/accounts/signup/`)).status).toBe(200);

    // A wrong address is refused at the field, with the rule.
    const field = main().getByRole('textbox', { name: /^Public URL/ });
    await field.fill('graphistry.example.com');
    await main().getByRole('form', { name: 'Public URL setting' }).getByRole('button', { name: 'Save' }).click();
    await hasText(main().locator('.public-url'), /must be an http:\/\/ or https:\/\/ address/);
    await field.fill('https://graphistry.example.com/');
    await main().getByRole('form', { name: 'Public URL setting' }).getByRole('button', { name: 'Save' }).click();
    await hasText(share, 'https://graphistry.example.com/accounts/signup/');
    expect(await share.innerText()).not.toMatch(/only works on this computer/);

    // An invitation made now uses the public URL.
    await main().getByLabel('Note').fill('for Ana');
    await main().getByRole('button', { name: 'Create invitation' }).click();
    const once = main().getByRole('region', { name: 'New invitation link' });
    await shown(once);
    const link = (await once.locator('code').innerText()).trim();
    expect(link).toMatch(/^https:\/\/graphistry\.example\.com\/accounts\/invite\/[\w-]{43}\/$/);
    expect(await once.innerText()).not.toMatch(/only works on this computer/);
    await shots('08b-settings-public-url');

    // Someone uses it (the same path on the server the console runs), and the list says who.
    const token = /\/invite\/([\w-]+)\//.exec(link)![1]!;
    const accepted = await api('POST', `${serverUrl}/api/v2/auth/invitations/accept`, { body: { token, username: 'ana.invited', password: MEMBER.password } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    await once.getByRole('button', { name: 'Done' }).click();

    // Without a public URL the link is on this computer's address, and says so.
    await field.fill('');
    await main().getByRole('form', { name: 'Public URL setting' }).getByRole('button', { name: 'Save' }).click();
    await hasText(share, `${serverUrl}/accounts/signup/`);
    await main().getByRole('button', { name: 'Create invitation' }).click();
    await shown(once);
    expect((await once.locator('code').innerText()).startsWith(`${serverUrl}/accounts/invite/`)).toBe(true);
    await hasText(once, /only works on this computer/);
    await shots('08c-settings-loopback-invitation');
    await once.getByRole('button', { name: 'Done' }).click();
    // The list (all of them) names who used the first.
    await hasText(main().locator('table.invitations-table tr', { hasText: 'for Ana' }), 'ana.invited');
  }, 60_000);

  // ---- 4. a key for the member: create, copy, use, revoke ------------------------------------

  it("4. the member's API keys: create -> Copy -> the copied value exchanges for a JWT -> Revoke -> Revoke key -> the exchange fails", async () => {
    diagnoseOnFailure('4-keys');
    const memberId = await ensureMember();
    await openUserFromList(MEMBER.username);
    await main()
      .getByRole('button', { name: 'API keys' })
      .or(main().getByRole('link', { name: 'API keys' }))
      .first()
      .click();
    await shown(heading('API keys'));
    expect(page.url()).toContain(`#/keys/${memberId}`);
    await hasText(main(), MEMBER.username);

    await main().getByLabel('Key name').fill(KEY_NAME);
    await main().getByRole('button', { name: 'Create key' }).click();
    const secretCode = main().locator('code', { hasText: /^PersonalKey \S+:\S+$/ });
    await shown(secretCode);
    const authorization = (await secretCode.innerText()).trim();

    await main().getByRole('button', { name: 'Copy', exact: true }).click();
    await shown(page.getByText(/Copied; the clipboard clears in 45 s/).first());
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(authorization);
    await shots('09-keys-new-key');

    const exchange = await api('POST', `${serverUrl}/api/v2/auth/pkey/jwt/`, { headers: { authorization: copied }, body: {} });
    expect(exchange.status, JSON.stringify(exchange.body)).toBe(200);
    const me = await api('GET', `${serverUrl}/api/v2/me`, { headers: { authorization: `Bearer ${exchange.body.token as string}` } });
    expect(me.body.username).toBe(MEMBER.username);

    await main().locator('tr', { hasText: KEY_NAME }).getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await shown(dialog);
    await shots('10-keys-revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await gone(dialog);
    await hasText(main().locator('tr', { hasText: KEY_NAME }), /revoked/i);

    const after = await api('POST', `${serverUrl}/api/v2/auth/pkey/jwt/`, { headers: { authorization: copied }, body: {} });
    expect(after.status).toBe(401);
    // The JWT it was exchanged for dies with it.
    expect((await api('GET', `${serverUrl}/api/v2/me`, { headers: { authorization: `Bearer ${exchange.body.token as string}` } })).status).toBe(401);
  }, 60_000);

  // ---- 5. the last superuser -------------------------------------------------------------

  it('5. the last superuser cannot be demoted, and the editor says why', async () => {
    diagnoseOnFailure('5-last-superuser');
    await ensureConnected();
    await openUserFromList(ADMIN.username);
    const su = checkbox('Superuser status');
    await checked(su, true);
    await su.uncheck();
    await main().getByRole('button', { name: 'Save', exact: true }).click();
    await hasText(main(), /last active superuser/i, 10_000);
    await shots('11-user-editor-last-superuser');
    const admin = await serverUser(serverUrl, await adminJwt(), ADMIN.username);
    expect(admin).toMatchObject({ is_superuser: true, is_active: true });
  }, 60_000);

  // ---- 6. 100,000 users ------------------------------------------------------------------

  it(
    `6. performance: with ${SEED_COUNT.toLocaleString('en')} users the first page shows fast, and a search narrows it fast`,
    async () => {
      diagnoseOnFailure('6-performance');
      await ensureConnected();
      // Start from a fresh load on another screen: the Users manager keeps its search (step 5 left one) while the page lives.
      await reopen('#/audit');
      await shown(heading('Audit log'));

      const seeded = seedUsers(bundledSqliteFile(dataDir), SEED_COUNT);
      console.log(`SEED ${SEED_COUNT} users in ${seeded.ms} ms (${seeded.total} users in all)`);
      expect(seeded.ms).toBeLessThan(10_000 * SEED_SCALE);

      console.log(`PERF machine load average (1 min) ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`);
      const firstPage = await timeOpeningUsers();
      console.log('PERF first page ms', firstPage);
      console.log(
        `PERF first page breakdown: ${await listUsersTimings('__perf', 'start', 'end')}; the server's own time ${await serverMs((u) => u.startsWith('/api/v2/admin/users?') && !u.includes('search='))}`,
      );
      // Once more, from another screen: what an admin sees on a later visit (the store shows the page it
      // holds while it asks the server again, so this is mostly render time).
      await nav('Audit log');
      await shown(heading('Audit log'));
      const again = await timeOpeningUsers();
      console.log('PERF first page, second visit (kept rows shown while refetching) ms', again);
      console.log(
        `PERF first page, second visit breakdown: ${await listUsersTimings('__perf', 'start', 'end')}; the server's own time ${await serverMs((u) => u.startsWith('/api/v2/admin/users?') && !u.includes('search='))}`,
      );
      await hasText(main(), seededTotal()); // the total (100,00x) is shown somewhere
      await shots('12-users-manager-100k');

      // A fresh load straight onto the Users manager (boot + first page), for the record.
      await reopen('#/users');
      await page.waitForFunction(() => [...document.querySelectorAll('#main table tbody tr')].some((r) => /u\d{6}/.test(r.textContent ?? '')), undefined, {
        timeout: 20_000,
        polling: 'raf',
      });
      const freshLoad = Math.round(await page.evaluate(() => performance.now()));
      console.log('PERF first page after a fresh load ms (from navigation start)', freshLoad);

      // The search, three times with different needles (the median is asserted; a busy machine has spikes):
      // timed from the last keystroke's input event to a table of exactly the ten matches.
      const searchTimes: number[] = [];
      for (const needle of ['u01234', 'u07777', NEEDLE]) {
        const ms = await timeSearch(needle);
        searchTimes.push(ms);
        console.log(
          `PERF search "${needle}" ms ${ms}; ${await listUsersTimings('__search', 'lastInput', 'end')}; the server's own time ${await serverMs((u) => u.startsWith('/api/v2/admin/users?') && u.includes('search='))}`,
        );
      }
      const searchMs = [...searchTimes].sort((a, b) => a - b)[1]!;
      console.log('PERF search ms (median of 3)', searchMs, JSON.stringify(searchTimes));
      for (let i = 0; i < 10; i++) await hasText(main(), seededUsername(42420 + i));
      await shots('13-users-search');

      expect(firstPage).toBeLessThan(FIRST_PAGE_LIMIT_MS);
      expect(searchMs).toBeLessThan(SEARCH_LIMIT_MS);
    },
    90_000 * SEED_SCALE,
  );

  // ---- 7. the remaining screens, for the pictures ---------------------------------------------

  it('7. every other screen renders (audit log, own keys with a JWT, connections) and is photographed light and dark', async () => {
    diagnoseOnFailure('7-screens');
    await ensureConnected();
    await nav('Audit log');
    await shown(heading('Audit log'));
    // The settings changes of step 3 are audited, as sentences.
    await hasText(main(), /admin opened registration \(IS_SIGNUPS_OPEN_AFTER_FIRST off → on\)/);
    await shots('14-audit-log');

    await nav('API keys');
    await shown(heading('API keys'));
    await main().getByRole('button', { name: 'Copy JWT' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const jwt = await page.evaluate(() => navigator.clipboard.readText());
    const me = await api('GET', `${serverUrl}/api/v2/me`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(me.body.username).toBe(ADMIN.username);
    await shots('15-keys-own');

    await nav('Connections');
    await shown(heading(/Connections/));
    await hasText(main(), /bundled/i);
    // The bundled server's backups: none yet, then one taken while it serves, named on the card and in the audit log.
    const backups = main().locator('.backups');
    await hasText(backups, /Last backup\s*None yet/);
    await backups.getByRole('button', { name: 'Back up now' }).click();
    await hasText(page.locator('.toasts'), /Backed up to .+backup-.+\.jsonl\.gz/);
    await hasText(backups, /Last backup\s*\d+ \w+ \d{4}, \d\d:\d\d.* \(\d+(\.\d)? [KM]iB\)/);
    await kit.dismissToasts();
    await backups.getByRole('button', { name: 'Back up now' }).evaluate((b) => b.scrollIntoView({ block: 'center' }));
    await shots('16-connections');
    expect(await kit.axeSerious('connections with backups')).toEqual([]);
    await nav('Audit log');
    await hasText(main(), /cli:\S+ backed up the database to \S+backup-\S+\.jsonl\.gz, [\d,]+ rows/);
    await shots('16c-audit-backup', [900]);
    await nav('Connections');
    await shown(heading(/Connections/));
    // With connections, adding one is not first-run setup.
    await main().getByRole('button', { name: 'Add connection' }).click();
    await shown(heading('Add a connection'));
    expect(await page.title()).toBe('Add a connection · Graphistry Admin');
    expect(await page.getByRole('heading', { name: 'Set up Graphistry Admin' }).count()).toBe(0);
    await shots('16b-add-connection');
    await page.getByRole('button', { name: 'Back to connections' }).click();
    await shown(heading('Connections'));
  }, 60_000);

  // ---- 8. nothing is lost silently --------------------------------------------------------

  it('8. nothing is lost silently: leaving unsaved edits asks; "Save and add another" keeps every uncopied key (Copy id, Copy secret); toasts clear the Save bar; bulk Deactivate confirms and Undo brings them back', async () => {
    diagnoseOnFailure('8-nothing-lost');
    await ensureMember();
    const jwt = await adminJwt();

    // Unsaved edits: the sidebar asks first; Stay keeps them.
    await openUserFromList(MEMBER.username);
    await main().getByLabel('Email').fill('dana@example.com');
    await nav('Audit log');
    const leave = page.getByRole('dialog', { name: 'Leave this screen?' });
    await shown(leave);
    await hasText(leave, `Your changes to ${MEMBER.username} are not saved.`);
    await shots('17-leave-unsaved');
    await leave.getByRole('button', { name: 'Stay' }).click();
    await gone(leave);
    expect(await main().getByLabel('Email').inputValue()).toBe('dana@example.com');
    // Back in the browser asks too.
    await page.goBack();
    await shown(leave);
    await leave.getByRole('button', { name: 'Stay' }).click();
    await shown(heading(MEMBER.username));
    await main().getByRole('button', { name: 'Save and continue editing' }).click();
    await expect.poll(async () => (await serverUser(serverUrl, jwt, MEMBER.username))?.email).toBe('dana@example.com');
    // The toast stands clear of the Save bar, at every width.
    await kit.atWidths(async (width) => {
      const toast = page.locator('.toast').last();
      await shown(toast);
      const [t, bar] = await Promise.all([toast.boundingBox(), main().locator('.editor-actions').boundingBox()]);
      expect(t!.y + t!.height <= bar!.y || t!.y >= bar!.y + bar!.height, `the toast covers the Save bar at ${width} px`).toBe(true);
    });

    // Two users in a row with "Save and add another": both keys stay on screen.
    await nav('Users');
    await main().getByRole('button', { name: 'Add user' }).click();
    const made: string[] = ['ana.bulk', 'ben.bulk'];
    for (const username of made) {
      await main().getByLabel('Username', { exact: true }).fill(username);
      await main().getByLabel('Password', { exact: true }).fill(MEMBER.password);
      await main().getByLabel('Password again').fill(MEMBER.password);
      await main().getByRole('button', { name: 'Save and add another' }).click();
      await shown(main().getByText(`${username}’s first API key`));
    }
    await expect.poll(() => main().locator('.fresh-key').count()).toBe(2);
    await shots('18-two-fresh-keys');
    const first = main().locator('.fresh-key').first();
    await first.getByRole('button', { name: 'Copy id' }).click();
    const header = (await first.locator('.secret code').innerText()).trim();
    const [, keyId, secret] = /^PersonalKey ([^:]+):(\S+)$/.exec(header)!;
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(keyId);
    await first.getByRole('button', { name: 'Copy secret' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // ben's key was never copied: leaving asks.
    await nav('Users');
    await shown(leave);
    await hasText(leave, /ben\.bulk’s first API key has not been copied/);
    await leave.getByRole('button', { name: 'Leave anyway' }).click();
    await shown(heading('Users'));

    // Bulk deactivate: a confirmation, then Undo.
    const search = page.getByLabel('Search users');
    await search.fill('.bulk');
    await expect.poll(() => userRows().count()).toBe(2);
    await page.getByLabel('Select all on this page').check();
    await main().getByRole('button', { name: 'Deactivate' }).click();
    const confirm = page.getByRole('dialog', { name: /^Deactivate 2 users on “.+”\?$/ });
    await shown(confirm);
    await hasText(confirm, /signed out at once/);
    await shots('19-bulk-deactivate-confirm');
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    const active = async () => Promise.all(made.map(async (u) => (await serverUser(serverUrl, jwt, u))?.is_active));
    await expect.poll(active).toEqual([false, false]);
    await page.locator('.toast', { hasText: 'Deactivated 2 users' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(active).toEqual([true, true]);
    await search.fill('');
  }, 90_000);

  // ---- 9. lists stay true ---------------------------------------------------------------------

  it('9. lists stay true: Users refreshes on its sidebar entry, on window focus and with Refresh; search, filters, sort and page live in the address (reload, back, forward)', async () => {
    diagnoseOnFailure('9-lists');
    await ensureConnected();
    const jwt = await adminJwt();
    const behindTheBack = (username: string) =>
      api('POST', `${serverUrl}/api/v2/admin/users`, { headers: { authorization: `Bearer ${jwt}` }, body: { username, password: MEMBER.password } });
    await nav('Users');
    const search = page.getByLabel('Search users');
    await search.fill('zz.late');
    await expect.poll(() => userRows().filter({ hasText: 'zz.late' }).count()).toBe(0);
    for (const [i, how] of [
      [1, async () => nav('Users')],
      [2, async () => page.evaluate(() => window.dispatchEvent(new Event('focus')))],
      [3, async () => main().getByRole('button', { name: 'Refresh' }).click()],
    ] as const) {
      expect((await behindTheBack(`zz.late${i}`)).status).toBe(201);
      await page.waitForTimeout(2_100); // focus reloads at most every 2 s
      await how();
      await shown(main().getByRole('link', { name: `zz.late${i}`, exact: true }));
    }

    // The list's state in the address: a reload shows the same list.
    await search.fill('u001');
    await page.getByLabel('Active').selectOption('no');
    await main()
      .getByRole('button', { name: /Date joined/ })
      .click();
    await page.getByLabel('Rows per page').selectOption('25');
    await expect.poll(() => page.url()).toMatch(/#\/users\?q=u001&active=no&o=date_joined&size=25$/);
    const firstRow = async () =>
      (
        await userRows()
          .first()
          .locator('a.row-link')
          .innerText()
          .catch(() => '')
      ).trim();
    await expect.poll(firstRow).toBe('u001001');
    await main().getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.url()).toContain('page=2');
    // The 26th of the inactive u001xxx by date joined: every 11th user is inactive, from u001001.
    const page2 = 'u001276';
    await expect.poll(firstRow).toBe(page2);
    await page.reload();
    await shown(heading('Users'), 20_000);
    await expect.poll(firstRow).toBe(page2);
    expect(await search.inputValue()).toBe('u001');
    expect(await page.getByLabel('Active').inputValue()).toBe('no');
    await shots('20-users-from-address');
    await page.goBack();
    await expect.poll(firstRow).toBe('u001001');
    await page.goForward();
    await expect.poll(firstRow).toBe(page2);
    // A plain list again for the steps after this one.
    await reopen('#/users');
  }, 90_000);

  // ---- 10. a readable audit log --------------------------------------------------------------

  it('10. a readable audit log: sentences with details a keyboard opens; a refused console sign-in is a failure and no login; a deletion records what was deleted', async () => {
    diagnoseOnFailure('10-audit');
    await ensureMember();
    const jwt = await adminJwt();
    // A staff member (not a superuser) tries the console: refused, and their last login does not move.
    const before = (await serverUser(serverUrl, jwt, MEMBER.username))!.last_login;
    const profiles = await web.bridge<Array<{ id: string; kind: string }>>('listProfiles');
    const profileId = profiles.ok ? profiles.value.find((p) => p.kind === 'bundled')!.id : 'none';
    const refused = await web.bridge('signIn', { profileId, username: MEMBER.username, password: MEMBER.password });
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toMatch(/not a superuser/);
    expect((await serverUser(serverUrl, jwt, MEMBER.username))!.last_login).toBe(before);

    // A deletion through the editor (a user step 9 made behind the console's back), from a plain list.
    await reopen('#/users');
    await openUserFromList('zz.late1');
    await main().getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete zz.late1?' });
    await dialog.getByRole('textbox').fill('zz.late1');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await shown(heading('Users'));

    await nav('Audit log');
    await shown(heading('Audit log'));
    const rows = main().locator('table.audit-table tbody tr');
    await hasText(rows.nth(0), 'admin deleted zz.late1 (1 API key deleted with it)');
    const refusal = rows.filter({ hasText: `Sign-in refused for ${MEMBER.username} (not a superuser, which the console needs)` }).first();
    await shown(refusal);
    await hasText(refusal, 'failure');
    // Its details open from the keyboard: Tab to its button, Enter.
    const button = refusal.getByRole('button', { name: /^Details/ });
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const details = main().locator('tr.detail-row').first();
    await hasText(details, /reason\s+not_superuser/);
    await hasText(details, /client\s+console/);
    await hasText(main(), `admin made ${MEMBER.username} staff`);
    await shots('21-audit-sentences');
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('false');

    // The filters live in the address: a reload, back and forward keep them.
    const actor = main().getByLabel('Actor');
    const action = main().getByLabel('Action');
    const deletion = rows.filter({ hasText: 'admin deleted zz.late1' });
    await actor.fill(MEMBER.username);
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/audit\\?actor=${MEMBER.username.replace('.', '\\.')}$`));
    await action.selectOption('auth.login');
    await expect.poll(() => page.url()).toMatch(/#\/audit\?actor=[^&]+&action=auth\.login$/);
    await page.reload();
    await shown(heading('Audit log'), 20_000);
    await shown(refusal);
    expect(await actor.inputValue()).toBe(MEMBER.username);
    expect(await action.inputValue()).toBe('auth.login');
    expect(await deletion.count()).toBe(0);
    await page.goBack();
    await expect.poll(() => action.inputValue()).toBe('');
    expect(await actor.inputValue()).toBe(MEMBER.username);
    await page.goForward();
    await expect.poll(() => action.inputValue()).toBe('auth.login');
    await main().getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/audit$/);
    await shown(deletion.first());
  }, 60_000);

  // ---- layout ------------------------------------------------------------------------------

  it('layout: only the content pane scrolls, never the window (no blank window after scrolling a long table)', async () => {
    diagnoseOnFailure('layout');
    await ensureConnected();
    const overflow = () => page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    const found: Record<string, number> = {};
    // The Users manager with a full page of rows (100,000 users seeded by step 6, or whatever exists).
    await nav('Users');
    await shown(heading('Users'));
    const search = page.getByLabel('Search users');
    if ((await search.inputValue()) !== '') await search.fill('');
    await page.waitForFunction(() => document.querySelectorAll('#main table tbody tr').length >= 10, undefined, { timeout: 10_000 }).catch(() => undefined);
    found.users = await overflow();
    for (const [label, name] of [
      ['API keys', 'API keys'],
      ['Registration & settings', 'Registration & settings'],
      ['Audit log', 'Audit log'],
      ['Connections', 'Connections'],
    ] as const) {
      await nav(label);
      await shown(heading(name));
      await page.waitForTimeout(300);
      found[label] = await overflow();
    }
    console.log('LAYOUT window overflow px by screen', JSON.stringify(found));
    // One pixel is tolerated (a rounding artefact); a window that scrolls by a table's height is not.
    for (const [screen, px] of Object.entries(found)) expect(px, `the window itself scrolls by ${px} px on ${screen}`).toBeLessThanOrEqual(1);
  }, 60_000);

  it('layout: at 1280, 1024 and 900 px the username links are whole and clickable, key names readable, Revoke reachable, the page title names the screen', async () => {
    diagnoseOnFailure('layout-widths');
    await ensureConnected();
    const memberId = await ensureMember();
    await kit.atWidths(async (width) => {
      await nav('Users');
      await shown(heading('Users'));
      expect(await page.title()).toBe('Users · Graphistry Admin');
      const search = page.getByLabel('Search users');
      const link = main().getByRole('link', { name: MEMBER.username, exact: true });
      await search.fill('');
      await page.waitForFunction(() => document.querySelectorAll('#main table tbody tr a.row-link').length >= 10, undefined, { timeout: 10_000 });
      // The first rows of the page (the admin, the member, seeded users) and the member found by search.
      const links = main().locator('tbody a.row-link');
      const problems: string[] = [];
      for (let i = 0; i < 8; i++) {
        // At 900 px the rows are taller (wrapped emails, the Sign-in column): the later ones are scrolled to, as a person would.
        await links.nth(i).scrollIntoViewIfNeeded();
        const p = await kit.usable(links.nth(i));
        if (p) problems.push(p);
      }
      expect(problems, `at ${width} px`).toEqual([]);
      // The sidebar folds away below 1100 px, so the table keeps the window's width.
      const sidebarWidth = await page.locator('nav.sidebar').evaluate((el) => el.getBoundingClientRect().width);
      if (width <= 1100) expect(sidebarWidth).toBeGreaterThan(width - 40);

      await search.fill(MEMBER.username);
      await expect.poll(() => links.count()).toBe(1);
      await link.click();
      await shown(heading(MEMBER.username));
      expect(await page.title()).toBe(`${MEMBER.username} · Users · Graphistry Admin`);
      await main().getByRole('link', { name: 'API keys' }).click();
      await shown(heading('API keys'));
      expect(page.url()).toContain(`#/keys/${memberId}`);
      const names = main().locator('table.keys-table tbody td:first-child');
      await shown(names.first());
      for (const p of await Promise.all((await names.all()).map((n) => kit.usable(n)))) expect(p, `a key name at ${width} px`).toBeNull();
      // Every column is there; a narrow window scrolls the table sideways to its Revoke buttons.
      const revoke = main().locator('table.keys-table').getByRole('button', { name: 'Revoke' }).first();
      if (await revoke.count()) {
        await revoke.scrollIntoViewIfNeeded();
        expect(await kit.usable(revoke), `Revoke at ${width} px`).toBeNull();
      }
    });
    await page
      .getByLabel('Search users')
      .fill('')
      .catch(() => undefined);
  }, 90_000);

  // ---- cleanup is part of the contract -------------------------------------------------------

  it('SIGTERM stops console-web and its bundled server; nothing is left running', async () => {
    diagnoseOnFailure('cleanup');
    if (!serverPid) await bundledUrl().catch(() => undefined);
    await context.close();
    await web.stop();
    expect(serveProcessesFor(bundledServerDir(dataDir))).toEqual([]);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(web.pid)).toBe(false);
    if (serverPid) expect(alive(serverPid)).toBe(false);
  }, 30_000);

  it('the page threw no uncaught errors', () => {
    if (consoleErrors.length) process.stdout.write(`console e2e: console errors in the page:\n  ${consoleErrors.join('\n  ')}\n`);
    expect(pageErrors).toEqual([]);
  });
});
