/// <reference lib="dom" />
// The console against a remote Graphistry, end to end: console-web as a real
// child process (web mode), the built renderer in Debian's Chromium, and the
// Django reference peer (test/fixtures/graphistry-peer) as the Graphistry, on
// Django 3.2, 4.2 and 5.2 in turn (Graphistry releases run newer Django than
// 3.2). What the console changes is read back in Django itself (manage.py shell).
// Screenshots are taken on the first version only: they show the console,
// which looks the same whatever Django is behind it.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, screenshotDir } from '../helpers/browser.ts';
import { ensureRendererBuilt, startConsoleWeb, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';
import { PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';
import { djangoRuntimes } from '../helpers/django-versions.ts';
import { checked, hasText, shots as takeShots, shown } from '../helpers/e2e-kit.ts';
import { opensslMissing, selfSigned, startTlsProxy, type Certificate, type TlsProxy } from '../helpers/tls-proxy.ts';

const MEMBER = { username: 'dana.analyst', password: 'dana keeps a long passphrase', name: 'Dana Analyst' };
const runtimes = await djangoRuntimes();

for (const [n, runtime] of runtimes.entries()) {
  const missing = chromiumMissing() ?? (runtime.ok ? null : runtime.why) ?? opensslMissing();
  const version = runtime.ok ? runtime.full : runtime.version;
  if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console e2e against the Django reference peer on Django ${version}.\n\n`);
  const shots: typeof takeShots = n === 0 ? takeShots : async () => undefined;

  (missing ? describe.skip : describe)(`console in Chromium against a remote Graphistry (Django reference peer on Django ${version})`, () => {
    let peer: DjangoPeer;
    let dataDir: string;
    let web: ConsoleWeb;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let cert: Certificate;
    let proxy: TlsProxy;
    let tlsPeer: DjangoPeer | undefined;
    const pageErrors: string[] = [];
    const taken: string[] = [];

    /** A Python expression evaluated in the peer's Django (`manage.py shell`), its printed value. */
    const django = async (code: string) => (await peer.shell(`from users.models import User\nfrom constance import config\n${code}`)).trim();

    beforeAll(async () => {
      process.stdout.write(`graphistry e2e: ${ensureRendererBuilt()}\n`);
      if (n === 0) for (const f of readdirSync(screenshotDir())) if (f.startsWith('graphistry-') && f.endsWith('.png')) rmSync(`${screenshotDir()}/${f}`);
      peer = await startDjangoPeer({ django: runtime.version });
      process.stdout.write(`graphistry e2e: the Django peer runs Django ${peer.django} at ${peer.url}\n`);
      dataDir = tempDir();
      web = await startConsoleWeb(dataDir);
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.origin });
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(web.url);
    }, 120_000);

    afterAll(async () => {
      await context?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await web?.stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
      await proxy?.close();
      cert?.cleanup();
      await tlsPeer?.stop();
      await peer?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (taken.length) process.stdout.write(`graphistry e2e: screenshots in ${screenshotDir()}: ${taken.join(', ')}\n`);
    });

    const main = () => page.locator('#main');
    const heading = (name: string | RegExp) => page.getByRole('heading', { name, exact: typeof name === 'string' });
    const nav = (label: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: label, exact: true }).click();
    const checkbox = (label: string) => main().getByLabel(label, { exact: true });
    function diagnose(step: string) {
      onTestFailed(async () => {
        const text = await main()
          .innerText({ timeout: 1_000 })
          .catch(() => '(no #main)');
        const toasts = await page
          .locator('.toasts')
          .innerText({ timeout: 1_000 })
          .catch(() => '(no toasts)');
        process.stderr.write(
          `\n--- ${step} failed on Django ${peer.django}; the page showed:\n${text.slice(0, 2_000)}\n--- toasts:\n${toasts}\n--- console-web:\n${web.output().slice(-1_500)}\n--- peer:\n${peer.log().slice(-1_500)}\n`,
        );
        await page.screenshot({ path: `${screenshotDir()}/graphistry-FAILED-django-${runtime.version}-${step}.png`, fullPage: true }).catch(() => undefined);
      });
    }
    async function openUser(username: string) {
      await nav('Users');
      await shown(heading('Users'));
      await page.getByLabel('Search users').fill(username);
      await main().getByRole('link', { name: username, exact: true }).click();
      await shown(heading(username));
    }

    it('1. the wizard connects to the Graphistry with a superuser password and opens its Users manager', async () => {
      diagnose('1-wizard');
      await page.getByRole('button', { name: 'Connect to a Graphistry server' }).click();
      await shown(heading('Connect to a Graphistry server'));
      await main().getByLabel('Server URL').fill(peer.url);
      await main().getByLabel('Username', { exact: true }).fill(PEER_ADMIN.username);
      await main().getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
      await shots(page, 'graphistry-01-wizard', [1280], taken);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await shown(heading('Users'), 30_000);
      await shown(main().locator('table tbody tr').filter({ hasText: PEER_ADMIN.username }).first());
      const status = await web.bridge<{ backend: string; profile: { has_credential: boolean } }>('connectionStatus');
      expect(status.ok && status.value).toMatchObject({ backend: 'remote-graphistry', profile: { has_credential: true } });
      await shots(page, 'graphistry-02-users', [1280, 900], taken);
    }, 90_000);

    it('2. Add user -> Save and continue editing -> Staff -> Save: Django has the user as staff, its extra field and groups untouched', async () => {
      diagnose('2-add-user');
      await nav('Users');
      await main().getByRole('button', { name: 'Add user' }).click();
      await shown(heading('Add user'));
      await hasText(main(), /Graphistry makes no API key with a new account/);
      await main().getByLabel('Username', { exact: true }).fill(MEMBER.username);
      await main().getByLabel('Password', { exact: true }).fill(MEMBER.password);
      await main().getByLabel('Password again').fill(MEMBER.password);
      await shots(page, 'graphistry-03a-add-user', [1280], taken);
      await main().getByRole('button', { name: 'Save and continue editing' }).click();
      await shown(heading(MEMBER.username), 20_000);
      expect(
        await django(`u = User.objects.get(username='${MEMBER.username}'); print(u.is_staff, u.is_superuser, u.check_password('${MEMBER.password}'))`),
      ).toBe('False False True');
      await shots(page, 'graphistry-03-editor', [1280], taken);

      // Meanwhile the Graphistry itself fills fields the console does not show: its model's `name`, a group.
      await django(
        `from django.contrib.auth.models import Group\nu = User.objects.get(username='${MEMBER.username}')\nu.name = '${MEMBER.name}'\nu.save()\nu.groups.add(Group.objects.get_or_create(name='analysts')[0])`,
      );
      const staff = checkbox('Staff status');
      await checked(staff, false);
      await staff.check();
      await main().getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(
          () =>
            django(
              `u = User.objects.get(username='${MEMBER.username}'); print(u.is_staff, u.is_superuser, u.is_active, repr(u.name), [g.name for g in u.groups.all()])`,
            ),
          { timeout: 15_000 },
        )
        .toBe(`True False True '${MEMBER.name}' ['analysts']`);
      // Django has it as soon as the admin form is posted; the console is done once it has read the user back and
      // gone to the list (until then its editor still holds the edit, and leaving asks).
      await page.waitForFunction(() => location.hash === '#/users');
    }, 60_000);

    it('3. the registration switch changes the constance value; other settings are shown read-only with their help', async () => {
      diagnose('3-settings');
      await nav('Registration & settings');
      await shown(heading('Registration & settings'));
      const open = main().getByRole('switch', { name: 'Open registration' });
      await checked(open, false);
      // A click while the switch is busy (still reading the settings) is ignored by design.
      await expect.poll(() => open.getAttribute('aria-busy'), { timeout: 15_000 }).toBeNull();
      await open.click();
      await expect.poll(() => django('print(config.IS_SIGNUPS_OPEN_AFTER_FIRST)'), { timeout: 15_000 }).toBe('True');
      await hasText(main(), 'Minutes of inactivity before a dashboard session ends.');
      await hasText(main(), 'SESSION_IDLE_MINUTES');
      await hasText(main(), /no invitation links/);
      // The bundled server's sign-up link would be wrong for a Graphistry: none is offered.
      expect(await main().getByText('Sign-up link to share').count()).toBe(0);
      await shots(page, 'graphistry-04-settings', [1280, 900], taken);
      // Django has the value once the admin form is posted; the switch takes another change once the console has read it back.
      await expect.poll(() => open.getAttribute('aria-busy'), { timeout: 15_000 }).toBeNull();
      await open.click();
      await expect.poll(() => django('print(config.IS_SIGNUPS_OPEN_AFTER_FIRST)'), { timeout: 15_000 }).toBe('False');
      expect(await django('print(config.SESSION_IDLE_MINUTES, config.SUPPORT_EMAIL)')).toBe('60 support@graphistry.example');
    }, 60_000);

    it('4. demoting the last superuser is refused with the bundled server sentence, and Django keeps it a superuser', async () => {
      diagnose('4-last-superuser');
      await openUser(PEER_ADMIN.username);
      const su = checkbox('Superuser status');
      await checked(su, true);
      await su.uncheck();
      await main().getByRole('button', { name: 'Save', exact: true }).click();
      await hasText(main(), /last active superuser/i);
      await shots(page, 'graphistry-05-last-superuser', [1280], taken);
      expect(await django(`u = User.objects.get(username='${PEER_ADMIN.username}'); print(u.is_superuser, u.is_active)`)).toBe('True True');
    }, 60_000);

    it('5. what a Graphistry keeps elsewhere is said plainly: keys (Copy JWT still works), audit log, bulk changes', async () => {
      diagnose('5-capabilities');
      await nav('API keys');
      await shown(heading('API keys'));
      await hasText(main(), /on each user's own dashboard/);
      await main().getByRole('button', { name: 'Copy JWT' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const jwt = await page.evaluate(() => navigator.clipboard.readText());
      const verified = await fetch(`${peer.url}/api-token-verify/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: jwt }),
      });
      expect(verified.status).toBe(200);
      await shots(page, 'graphistry-06-keys', [1280], taken);

      await nav('Audit log');
      await shown(heading('Audit log'));
      await hasText(main(), /no audit log the console can read/);
      expect(await main().locator('table').count()).toBe(0);
      await shots(page, 'graphistry-07-audit', [1280], taken);

      await nav('Users');
      await shown(heading('Users'));
      await page.getByLabel('Search users').fill(MEMBER.username);
      await main()
        .getByRole('checkbox', { name: `Select ${MEMBER.username}` })
        .check();
      await hasText(main(), /one user at a time/);
      await shots(page, 'graphistry-08-users-selected', [1280], taken);

      await nav('Connections');
      await shown(heading(/Connections/));
      await shots(page, 'graphistry-09-connections', [1280], taken);
    }, 60_000);

    it('6. Add connection over HTTPS with a self-signed certificate: refused, shown with its fingerprint, allowed for this connection only', async () => {
      diagnose('6-certificate');
      cert = selfSigned('DNS:graphistry.invalid', 'graphistry.invalid');
      // A Graphistry configured for its TLS proxy (trusting X-Forwarded-Proto): from Django 4.0 the CSRF check
      // compares a post's Origin with the scheme Django believes, so the plain-HTTP peer above refuses
      // every form posted through HTTPS, as it would refuse a browser's (3.2 checked only the Referer).
      tlsPeer = await startDjangoPeer({ django: runtime.version, tlsProxy: true });
      proxy = await startTlsProxy(tlsPeer.url, cert);
      await nav('Connections');
      await main().getByRole('button', { name: 'Add connection' }).click();
      await page.getByRole('button', { name: 'Connect to a Graphistry server' }).click();
      await main().getByLabel('Connection name').fill('Graphistry over HTTPS');
      await main().getByLabel('Server URL').fill(proxy.url);
      await main().getByLabel('Username', { exact: true }).fill(PEER_ADMIN.username);
      await main().getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      const fingerprint = new X509Certificate(cert.cert).fingerprint256;
      const panel = main().getByRole('region', { name: "The server's certificate" });
      await shown(panel, 20_000);
      await hasText(panel, fingerprint);
      await hasText(panel, /self-signed/);
      await panel.scrollIntoViewIfNeeded();
      await shots(page, 'graphistry-10-certificate', [1280, 900], taken);
      await panel.getByRole('button', { name: 'Allow this certificate and connect' }).click();
      await shown(heading('Users'), 30_000);
      const profiles = await web.bridge<Array<{ name: string; url: string; pinned_certificate?: string }>>('listProfiles');
      expect(profiles.ok && profiles.value.find((p) => p.name === 'Graphistry over HTTPS')).toMatchObject({ url: proxy.url, pinned_certificate: fingerprint });
      const status = await web.bridge<{ server_url: string; backend: string }>('connectionStatus');
      expect(status.ok && status.value).toMatchObject({ server_url: proxy.url, backend: 'remote-graphistry' });
    }, 90_000);

    it('the page threw no uncaught errors', () => {
      expect(pageErrors).toEqual([]);
    });
  });
}
