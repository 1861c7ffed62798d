import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { chromiumMissing, launchChromium } from '../helpers/browser.ts';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts';
import { PYTHON, pyclientScript, pygraphistryEnv } from '../helpers/pygraphistry.ts';

/**
 * Graphistry's Python client, unmodified (test/fixtures/pygraphistry), signing
 * in through site-wide single sign-on: register(is_sso_login=True) prints the
 * IdP's URL and polls; a few seconds later, as a person would, Chromium opens
 * that URL and signs in at the test IdP's login and consent pages; the poll
 * gets the token.
 */

const SCRIPT = pyclientScript('register_sso.py');
const env = pygraphistryEnv({ PYTHONUNBUFFERED: '1' });
const missing = existsSync(PYTHON) ? chromiumMissing() : `${PYTHON} is missing`;
if (missing && process.env.CI === 'true') throw new Error(`${missing}: required under CI=true`);
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING pygraphistry's single sign-on.\n\n`);

/** What a person does with the URL the client printed: opens it in a browser (a fresh one: no IdP session yet) and signs in as `login`. */
async function signInWithChromium(browser: Browser, url: string, login: string, serverOrigin: string): Promise<string> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    // The IdP's own pages (oidc-provider's development login and consent forms).
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.waitForURL((u) => u.toString().startsWith(serverOrigin) && u.pathname.endsWith('/login/callback'));
    return await page.locator('body').innerText();
  } finally {
    await context.close();
  }
}

/** Run the client; `onUrl` gets the URL it prints, as a person reading it would. */
function runClient(
  server: string,
  onUrl: (url: string) => Promise<void>,
  named: { ORG?: string; IDP?: string } = {},
): Promise<{ result: Record<string, unknown>; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { env: { ...env, SERVER: server, ...named } });
    let output = '';
    let seen = false;
    let acting: Promise<void> = Promise.resolve();
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /browse to this URL, and sign in: (\S+)/.exec(output)?.[1];
      if (url && !seen) {
        seen = true;
        acting = onUrl(url);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      acting
        .then(() => {
          const line = output.split('\n').find((l) => l.startsWith('{"ok"'));
          if (!line) return reject(new Error(`the client printed no result:\n${output}`));
          resolve({ result: JSON.parse(line) as Record<string, unknown>, output });
        })
        .catch(reject);
    });
  });
}

describe.skipIf(Boolean(missing)).each(dialects())('pygraphistry signs in through site-wide single sign-on (%s)', (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let origin: string;
  let admin: SignedUp;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    // A socket silent for 2 s is closed: the poll, held longer than that, must keep its own (regression: the 30 s default cut polls short).
    t = await makeTestApp(dialect, { config: { requestTimeout: 2 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/g/sso/oidc/corp/login/callback`, `${origin}/o/acme/sso/oidc/corp/login/callback`] });
    admin = await signup(t.app, 'admin');
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/sso/providers',
      headers: bearer(admin.token),
      payload: { name: 'corp', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, link_verified_email: true },
    });
    expect(added.statusCode, added.body).toBe(201);
    await adminCreateUser(t.app, admin.token, { username: 'ana', password: 'correct horse battery staple', email: 'ana@corp.example' });
    idp.accounts.set('ana-at-idp', { email: 'ana@corp.example', email_verified: true });
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await t?.close();
  });

  it('register(is_sso_login=True) prints the IdP URL, waits, and gets a token for the SSO user once the person signs in', async () => {
    let page = '';
    const { result, output } = await runClient(origin.replace('http://', ''), async (url) => {
      await new Promise((r) => setTimeout(r, 3000)); // a person reads the URL and opens it
      page = await signInWithChromium(browser, url, 'ana-at-idp', origin);
    });
    expect(page).toContain('Signed in as ana');
    expect(result, output).toMatchObject({ ok: true, org_name: 'ana' });
    const me = await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(String(result.token)) });
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ username: 'ana' });
    // Answered once: the same state polled again is refused, and no token is left at rest.
    const rows = await t.db.read.selectFrom('sso_states').select(['token', 'token_taken_at', 'kind']).execute();
    expect(rows).toEqual([expect.objectContaining({ kind: 'client', token: null, token_taken_at: expect.any(String) })]);
  }, 90_000);

  it('per organization, with and without idp_name: the token is for the organization and active_organization names it', async () => {
    const org = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/organizations',
      headers: bearer(admin.token),
      payload: { slug: 'acme', name: 'Acme', join_policy: 'self_join' },
    });
    expect(org.statusCode, org.body).toBe(201);
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/v2/organizations/acme/sso/providers',
      headers: bearer(admin.token),
      payload: { name: 'corp', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, link_verified_email: true },
    });
    expect(added.statusCode, added.body).toBe(201);
    for (const named of [{ ORG: 'acme' }, { ORG: 'acme', IDP: 'corp' }]) {
      const { result, output } = await runClient(
        origin.replace('http://', ''),
        async (url) => {
          await new Promise((r) => setTimeout(r, 3000));
          expect(await signInWithChromium(browser, url, 'ana-at-idp', origin)).toContain('Signed in as ana');
        },
        named,
      );
      expect(result, output).toMatchObject({ ok: true, org_name: 'acme' });
      const me = await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(String(result.token)) });
      expect(json(me)).toMatchObject({ username: 'ana' });
      expect(output).toContain(named.IDP ? 'Login to acme idp corp SSO' : 'Login to acme organization level SSO');
      const active = await t.app.inject({ method: 'GET', url: '/api/v2/organizations/active', headers: bearer(String(result.token)) });
      expect(json(active)).toMatchObject({ slug: 'acme', personal: false, role: 'member' });
    }
  }, 90_000);

  it('a poll for an unknown state is refused at once; a second enabled IdP makes the start name the choices', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v2/o/sso/oidc/jwt/nosuchstate/' });
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown)).toMatchObject({ error: 'SSO_STATE_INVALID' });
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/sso/providers',
      headers: bearer(admin.token),
      payload: { name: 'other', issuer: idp.issuer, client_id: 'someone-else' },
    });
    expect(second.statusCode).toBe(201);
    const start = await t.app.inject({
      method: 'POST',
      url: '/api/v2/g/sso/oidc/login/',
      payload: 'client-type=pygraphistry',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(start.statusCode).toBe(400);
    expect(json(start)).toMatchObject({ status: 'ERR', error: 'SSO_IDP_REQUIRED', message: expect.stringContaining('corp, other') });
    expect(json(unknown)).toMatchObject({ status: 'ERR' });
    // The client itself raises the sentence (it reads status "ERR" and its message), not the whole answer's text.
    const { result } = await runClient(origin.replace('http://', ''), async () => {
      throw new Error('no IdP URL was expected');
    });
    expect(result.ok).toBe(false);
    expect(result.error).toBe(String(json(start).message));
  }, 60_000);
});
