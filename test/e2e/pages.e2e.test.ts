/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { WIDTHS } from '../helpers/console-kit.ts';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { get, post, startServer, type ServerProcess } from '../helpers/server-process.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the browser tests of the server pages.\n\n`);

/** Screenshot a page at 1280, 1024 and 900 px, in light and in dark mode (saved by the run for people to look at, never committed). */
async function shots(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: `${screenshotDir()}/pages-${name}-${width}-${colorScheme}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 800 });
}

/** The date format the console uses too: "2 Jan 2025, 13:45 UTC". */
const PAGE_DATE = /\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC\b/;

(missing ? describe.skip : describe)('server pages in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let dataDir: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // This run's pictures only.
    for (const f of readdirSync(screenshotDir())) if (f.startsWith('pages-') && f.endsWith('.png')) rmSync(join(screenshotDir(), f));
    dataDir = tempDir();
    server = await startServer(['--data-dir', dataDir]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1100, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    contexts.push(context);
    return context.newPage();
  }

  it('first visitor becomes the administrator; the second is told sign-up is closed; an invitee joins, makes, copies, uses and revokes a key', async () => {
    // 1. The first visitor creates the administrator: an empty server's own address leads there, not to sign-in.
    const admin = await newPage();
    await admin.goto('/');
    await admin.waitForURL('**/accounts/signup/');
    await expect.poll(() => admin.textContent('h1')).toBe('Create the administrator');
    // The pages have an icon (the browser asks /favicon.ico on its own).
    expect(await admin.locator('link[rel=icon]').getAttribute('href')).toBe('/static/favicon.svg');
    for (const path of ['/favicon.ico', '/static/favicon.svg']) {
      const icon = await fetch(`${server.url}${path}`);
      expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    }
    // A refusal puts the cursor in the field to fix.
    await admin.getByLabel('Username').fill('admin');
    await admin.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await admin.getByLabel('Password again').fill('not the same');
    await admin.getByRole('button', { name: 'Create administrator' }).click();
    await admin.waitForLoadState();
    await expect.poll(() => admin.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password2');
    expect(await admin.textContent('main')).toContain('superuser + staff');
    await shots(admin, '01-signup-first');
    await admin.getByLabel('Username').fill('admin');
    await admin.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await admin.getByLabel('Password again').fill(STRONG_PASSWORD);
    await admin.getByRole('button', { name: 'Create administrator' }).click();
    await admin.waitForURL('**/dashboard/');
    const badges = await admin.locator('.badge.on').allTextContents();
    expect(badges).toEqual(expect.arrayContaining(['superuser', 'staff']));
    expect(await admin.textContent('main')).toMatch(new RegExp(`joined ${PAGE_DATE.source}`));
    expect(await admin.textContent('main')).toContain('Your new personal key');
    const adminSecret = (await admin.locator('#key-secret-0').textContent())!.trim();
    expect(adminSecret.length).toBeGreaterThanOrEqual(43);
    await shots(admin, '02-dashboard-first-admin');

    // 2. A second visitor finds sign-up closed.
    const stranger = await newPage();
    await stranger.goto('/accounts/signup/');
    expect(await stranger.textContent('h1')).toBe('Sign-up is closed');
    await shots(stranger, '03-signup-closed');
    // ... and the sign-in page does not offer an account it cannot give.
    await stranger.goto('/');
    await stranger.waitForURL('**/accounts/login/**');
    expect(await stranger.getByRole('link', { name: /Create an account|Create the administrator/ }).count()).toBe(0);

    // 3. The admin creates an invitation through the API.
    const login = await post(`${server.url}/api/v2/auth/token/generate`, { username: 'admin', password: STRONG_PASSWORD });
    const invite = await post(`${server.url}/api/v2/admin/invitations`, { note: 'for bob' }, { authorization: `Bearer ${login.body.token as string}` });
    expect(invite.status).toBe(201);
    const invitePath = invite.body.path as string;
    expect(invitePath).toMatch(/^\/accounts\/invite\/[^/]+\/$/);

    // 4. The invitee accepts, signs out, and signs in again.
    const bob = await newPage();
    await bob.goto(invitePath);
    expect(await bob.textContent('h1')).toBe('You are invited');
    await shots(bob, '04-invitation');
    await bob.getByLabel('Username').fill('bob');
    await bob.getByLabel('Password', { exact: true }).fill('bobs own passphrase');
    await bob.getByLabel('Password again').fill('bobs own passphrase');
    await bob.getByRole('button', { name: 'Create account' }).click();
    await bob.waitForURL('**/dashboard/');
    // Only the roles held, and nothing struck through.
    expect(await bob.locator('.badges .badge').allTextContents()).toEqual(['member']);
    expect(await bob.locator('.badge.off').count()).toBe(0);
    await bob.getByRole('button', { name: 'Sign out' }).click();
    await bob.waitForURL('**/accounts/login/');
    await shots(bob, '05-login');
    await bob.getByLabel('Username or email').fill('bob');
    await bob.getByLabel('Password').fill('not his password');
    await bob.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => bob.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password');
    await bob.getByLabel('Password').fill('bobs own passphrase');
    await bob.getByRole('button', { name: 'Sign in' }).click();
    await bob.waitForURL('**/dashboard/');

    // A used link is refused with a clear page.
    const late = await newPage();
    const used = await late.goto(invitePath);
    expect(used!.status()).toBe(410);
    expect(await late.textContent('h1')).toBe('Invitation already used');
    await shots(late, '06-invitation-used');

    // 5. Bob creates a key, copies it, and exchanges it for a JWT.
    await bob.getByLabel('New key name').fill('laptop');
    await bob.getByRole('button', { name: 'Create key' }).click();
    await bob.waitForURL('**/dashboard/');
    const secret = (await bob.locator('#key-secret-0').textContent())!.trim();
    const keyId = (await bob.locator('#key-id-0').textContent())!.trim();
    await bob.locator('[data-copy="key-header-0"]').click();
    await expect.poll(() => bob.locator('[data-copy="key-header-0"]').textContent()).toBe('Copied');
    const copied = await bob.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`PersonalKey ${keyId}:${secret}`);
    await shots(bob, '07-dashboard-new-key');
    const exchange = await post(`${server.url}/api/v2/auth/pkey/jwt/`, {}, { authorization: copied });
    expect(exchange.status).toBe(200);
    const me = await get(`${server.url}/api/v2/me`, { authorization: `Bearer ${exchange.body.token as string}` });
    expect(me.body.username).toBe('bob');

    // The secret is gone after a reload: shown once.
    await bob.reload();
    expect(await bob.textContent('main')).not.toContain(secret);

    // 6. Bob revokes it (with confirmation) and the key fails.
    await bob.locator('tr', { hasText: 'laptop' }).getByRole('link', { name: 'Revoke' }).click();
    await bob.waitForURL(`**/dashboard/keys/${keyId}/revoke`);
    await shots(bob, '08-revoke-confirm');
    await bob.getByRole('button', { name: 'Revoke key' }).click();
    await bob.waitForURL('**/dashboard/');
    expect(await bob.textContent('main')).toContain('revoked');
    expect((await post(`${server.url}/api/v2/auth/pkey/jwt/`, {}, { authorization: copied })).status).toBe(401);
    expect((await get(`${server.url}/api/v2/me`, { authorization: `Bearer ${exchange.body.token as string}` })).status).toBe(401);

    // The JWT button, for the record.
    await bob.getByRole('button', { name: 'Generate JWT' }).click();
    await bob.waitForURL('**/dashboard/');
    expect(await bob.textContent('main')).toContain('Your JWT');
    await shots(bob, '09-dashboard-jwt');
  });

  it('works without JavaScript: sign-in and key creation by plain forms', async () => {
    const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/accounts/login/?next=/dashboard/');
    await page.getByLabel('Username or email').fill('admin');
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard/');
    await page.getByLabel('New key name').fill('no-js');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.waitForURL('**/dashboard/');
    expect(await page.locator('#key-secret-0').textContent()).toMatch(/\S{40,}/);
    // Without script the copy buttons stay hidden rather than dead.
    expect(await page.locator('[data-copy]').first().isHidden()).toBe(true);
  });

  it('is keyboard-usable: every field has a label and focus moves through the form in order', async () => {
    const page = await newPage();
    await page.goto('/accounts/login/');
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('name') ?? document.activeElement?.textContent?.trim() ?? '');
    // The username field has autofocus; Tab walks on from there.
    const order: string[] = [await focused()];
    expect(order[0]).toBe('username');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    const iUser = order.indexOf('username');
    const iPass = order.indexOf('password');
    const iButton = order.indexOf('Sign in');
    expect(iUser).toBeGreaterThanOrEqual(0);
    expect(iPass).toBeGreaterThan(iUser);
    expect(iButton).toBeGreaterThan(iPass);
    const unlabeled = await page.evaluate(
      () => [...document.querySelectorAll('input:not([type=hidden]), select')].filter((el) => !(el as HTMLInputElement).labels?.length).length,
    );
    expect(unlabeled).toBe(0);
  });
});
