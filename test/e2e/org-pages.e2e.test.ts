/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { get, post, startServer, type ServerProcess } from '../helpers/server-process.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the browser tests of the organization pages.\n\n`);

/** An organization name with markup in it: the pages must show it as text. */
const ORG_NAME = 'Acme <b>Labs</b> & "Co"';

(missing ? describe.skip : describe)('organization pages in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let dataDir: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    for (const f of readdirSync(screenshotDir())) if (f.startsWith('org-pages-') && f.endsWith('.png')) rmSync(join(screenshotDir(), f));
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
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, username: string, password: string, next = '/dashboard/') {
    await page.goto(`/accounts/login/?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${next}`);
  }

  const flashText = (page: Page) => page.locator('[aria-label="Messages"]').innerText();

  it('an administrator creates an organization, makes a user in it, changes the role, removes them, and cannot leave as its last admin', async () => {
    const admin = await newPage();
    await admin.goto('/accounts/signup/');
    await admin.getByLabel('Username').fill('admin');
    await admin.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await admin.getByLabel('Password again').fill(STRONG_PASSWORD);
    await admin.getByRole('button', { name: 'Create administrator' }).click();
    await admin.waitForURL('**/dashboard/');

    // From the dashboard to the organizations; a bad id is refused beside its field, the form keeps what was typed.
    await admin.getByRole('link', { name: 'Organizations' }).click();
    await admin.waitForURL('**/dashboard/organizations/');
    expect(await admin.locator('tbody tr').first().innerText()).toContain('(personal)');
    await admin.getByLabel('Id').fill('Not valid!');
    await admin.getByLabel('Name').fill(ORG_NAME);
    await admin.getByRole('button', { name: 'Create organization' }).click();
    await admin.waitForLoadState();
    expect(await admin.locator('#f-slug-error').innerText()).toMatch(/may contain only/);
    expect(await admin.getByLabel('Name').inputValue()).toBe(ORG_NAME);
    await admin.getByLabel('Id').fill('acme');
    await admin.getByRole('button', { name: 'Create organization' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await admin.locator('h1').innerText()).toBe(ORG_NAME);
    expect(await admin.locator('h1 b').count()).toBe(0);
    expect(await flashText(admin)).toContain('You are its admin');

    // Listed, with the role and the count.
    await admin.getByRole('link', { name: '← Organizations' }).click();
    const row = admin.locator('tr', { hasText: 'acme' });
    expect(await row.innerText()).toMatch(/admin\s+1\b/);
    await row.getByRole('link', { name: ORG_NAME }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');

    // A superuser makes a user straight into it; a refusal comes back beside its field.
    await admin.getByLabel('Username').fill('carol');
    await admin.getByLabel('Password').fill('short');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.waitForLoadState();
    expect(await admin.locator('#f-password-error').innerText()).not.toBe('');
    expect(await admin.getByLabel('Username').inputValue()).toBe('carol');
    await admin.getByLabel('Password').fill('carols own passphrase');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('Account “carol” created');
    const carolRow = admin.locator('tbody tr', { hasText: 'carol' });
    expect(await carolRow.getByLabel('Role of carol').inputValue()).toBe('member');

    // Role change, both ways.
    await carolRow.getByLabel('Role of carol').selectOption('admin');
    await carolRow.getByRole('button', { name: 'Change role of carol' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('“carol” is now an admin.');
    expect(await admin.locator('tbody tr', { hasText: 'carol' }).getByLabel('Role of carol').inputValue()).toBe('admin');
    await shots(admin, 'org-page');

    // Carol, signed in elsewhere, sees it as an admin would, then is removed (after a confirmation).
    const carol = await newPage();
    await signIn(carol, 'carol', 'carols own passphrase', '/dashboard/organizations/acme/');
    expect(await carol.getByRole('link', { name: 'Remove admin' }).count()).toBe(1);
    await admin.locator('tbody tr', { hasText: 'carol' }).getByLabel('Role of carol').selectOption('member');
    await admin.locator('tbody tr', { hasText: 'carol' }).getByRole('button', { name: 'Change role of carol' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('“carol” is now a member.');
    await carol.reload();
    expect(await carol.getByRole('link', { name: /^Remove/ }).count()).toBe(0);
    expect(await carol.getByLabel('Username').count()).toBe(0); // no "Create a user here" for a member

    await admin.getByRole('link', { name: 'Remove carol' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/members/*/remove');
    expect(await admin.locator('h1').innerText()).toBe(`Remove “carol” from ${ORG_NAME}?`);
    await admin.getByRole('button', { name: 'Remove member' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('Member removed.');
    expect(await admin.locator('tbody tr', { hasText: 'carol' }).count()).toBe(0);

    // Removed: the page refuses her with the server's sentence, and her list no longer has it.
    const gone = await carol.reload();
    expect(gone!.status()).toBe(403);
    expect(await carol.locator('main').innerText()).toContain('You are not a member of “acme”');
    await carol.goto('/dashboard/organizations/');
    expect(await carol.locator('main').innerText()).not.toContain('acme');
    // Open by default, anyone may create one; closed, she is told why instead of given a form.
    expect(await carol.getByRole('button', { name: 'Create organization' }).count()).toBe(1);
    const login = await post(`${server.url}/api/v2/auth/token/generate`, { username: 'admin', password: STRONG_PASSWORD });
    const closed = await fetch(`${server.url}/api/v2/admin/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.body.token as string}` },
      body: JSON.stringify({ IS_ORG_CREATION_OPEN: false }),
    });
    expect(closed.status).toBe(200);
    await carol.reload();
    expect(await carol.locator('main').innerText()).toContain('Only superusers can create organizations on this server.');
    expect(await carol.getByRole('button', { name: 'Create organization' }).count()).toBe(0);

    // The last admin cannot leave: the confirmation, then the server's sentence.
    await admin.getByRole('link', { name: `Leave ${ORG_NAME}` }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/leave');
    await admin.getByRole('button', { name: 'Leave organization' }).click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('This is the last active admin of “acme”');
  });

  it('an admin invites: a signed-out user signs in from the link and joins; someone without an account signs up while sign-up is closed and joins; a revoked link is refused', async () => {
    const admin = await newPage();
    await signIn(admin, 'admin', STRONG_PASSWORD, '/dashboard/organizations/acme/');

    async function invite(role: 'member' | 'admin', note: string): Promise<string> {
      await admin.getByLabel('Role', { exact: true }).first().selectOption(role);
      await admin.getByLabel('Note').fill(note);
      await admin.getByRole('button', { name: 'Create link' }).click();
      await admin.waitForURL('**/dashboard/organizations/acme/');
      expect(await flashText(admin)).toContain('shown this once');
      const link = (await admin.locator('#invite-link-0').innerText()).trim();
      expect(link).toMatch(new RegExp(`^${server.url}/accounts/invite/[^/]+/$`));
      expect(await admin.locator('tr', { hasText: note }).count()).toBe(1);
      return link;
    }

    // 1. Carol (an account already, no longer a member) opens the link signed out, signs in from it, and joins.
    const forCarol = await invite('member', 'for carol');
    await shots(admin, 'org-page-invited');
    await admin.reload();
    expect(await admin.locator('#invite-link-0').count()).toBe(0); // shown once
    const carol = await newPage();
    await carol.goto(forCarol);
    expect(await carol.locator('h1').innerText()).toBe(`Join ${ORG_NAME}`);
    await carol.getByRole('link', { name: 'Sign in' }).click();
    await carol.waitForURL('**/accounts/login/?next=*');
    await carol.getByLabel('Username or email').fill('carol');
    await carol.getByLabel('Password').fill('carols own passphrase');
    await carol.getByRole('button', { name: 'Sign in' }).click();
    await carol.waitForURL(forCarol);
    expect(await carol.locator('h1').innerText()).toBe(`Join ${ORG_NAME} as member?`);
    await shots(carol, 'join');
    await carol.getByRole('button', { name: 'Join' }).click();
    await carol.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(carol)).toContain(`You joined “${ORG_NAME}” as a member.`);
    // The link worked once.
    expect((await carol.goto(forCarol))!.status()).toBe(410);

    // 2. Someone without an account signs up with an admin link while sign-up is closed, and is in at once.
    const forFrank = await invite('admin', 'for frank');
    const frank = await newPage();
    await frank.goto('/accounts/signup/');
    expect(await frank.locator('h1').innerText()).toBe('Sign-up is closed');
    await frank.goto(forFrank);
    await frank.getByLabel('Username').fill('frank');
    await frank.getByLabel('Password', { exact: true }).fill('franks own passphrase');
    await frank.getByLabel('Password again').fill('franks own passphrase');
    await frank.getByRole('button', { name: 'Create account' }).click();
    await frank.waitForURL('**/dashboard/');
    expect(await frank.locator('main').innerText()).toContain(`You joined “${ORG_NAME}” as an admin.`);
    await frank.goto('/dashboard/organizations/acme/');
    expect(await frank.locator('.badges').innerText()).toContain('admin');

    // 3. A revoked link is refused.
    await admin.reload();
    const forNobody = await invite('member', 'for nobody');
    await admin
      .locator('tr', { hasText: 'for nobody' })
      .getByRole('button', { name: /^Revoke/ })
      .click();
    await admin.waitForURL('**/dashboard/organizations/acme/');
    expect(await flashText(admin)).toContain('Invitation revoked');
    expect(await admin.locator('tr', { hasText: 'for nobody' }).count()).toBe(0);
    const late = await newPage();
    expect((await late.goto(forNobody))!.status()).toBe(410);
    expect(await late.locator('h1').innerText()).toBe('Invitation revoked');

    // The members now: admin, carol, frank.
    await admin.reload();
    expect(await admin.locator('tbody tr td:first-child').allInnerTexts()).toEqual(expect.arrayContaining(['admin (you)', 'carol', 'frank']));
  });

  it('refuses an organization form sent without the CSRF token', async () => {
    const page = await newPage();
    await signIn(page, 'admin', STRONG_PASSWORD, '/dashboard/organizations/');
    // The browser's cookies, same origin, but no token: refused, and nothing is made.
    const res = await page.request.post('/dashboard/organizations/', { form: { slug: 'no-token' }, headers: { origin: server.url } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('Form expired');
    const left = await page.request.post('/dashboard/organizations/acme/leave', { form: {}, headers: { origin: server.url } });
    expect(left.status()).toBe(403);
    const login = await post(`${server.url}/api/v2/auth/token/generate`, { username: 'admin', password: STRONG_PASSWORD });
    const mine = await get(`${server.url}/api/v2/organizations`, { authorization: `Bearer ${login.body.token as string}` });
    expect((mine.body.results as Array<{ slug: string }>).map((o) => o.slug)).toEqual(['acme']);
  });
});

/** The page in light and dark at 1280 px (saved for people to look at, never committed). */
async function shots(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `${screenshotDir()}/org-pages-${name}-1280-${colorScheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 800 });
}
