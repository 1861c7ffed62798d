/// <reference lib="dom" />
// What the console's screens do with a Graphistry whose admin site differs
// from the reference (test/fixtures/graphistry-variants), in Chromium over
// web mode, on the system's Django: a one-time code asked for at sign-in, a
// superuser flag the admin shows read-only, users who sign in with their
// email, and a new user whose second step the admin refused (the account
// exists: finish it or delete it), and organizations: absent where the
// admin lists no organization model, read-only where it does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/browser.ts';
import { consoleKit } from '../helpers/console-kit.ts';
import { ensureRendererBuilt, startConsoleWeb, stopConsoleAndClean, tempDir, type ConsoleWeb } from '../helpers/console-web.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const plugins = await import('node:child_process')
  .then(({ execFileSync }) => execFileSync('/usr/bin/python3', ['-c', 'import django_otp'], { stdio: 'ignore' }))
  .then(
    () => null,
    () => '/usr/bin/python3 lacks django-otp (apt-get install python3-django-otp)',
  );
const missing = chromiumMissing() ?? (await djangoMissing()) ?? plugins;
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console e2e against Graphistry admin variations.\n\n`);

(missing ? describe.skip : describe)('console screens against Graphistry admin variations (web mode, Django peers)', () => {
  let dataDir: string;
  let web: ConsoleWeb;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const peers: Record<string, DjangoPeer> = {};
  const kit = consoleKit({ page: () => page, web: () => web, prefix: 'variants' });
  const { shown, hasText, main, heading, diagnoseOnFailure, shots } = kit;

  async function bridge<T>(method: string, params: unknown = {}): Promise<T> {
    const r = await web.bridge<T>(method, params);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value;
  }

  /** Sign in to a variation through its sign-in card, as a returning admin would (the first one). */
  async function signInCard(name: string) {
    const profiles = await bridge<Array<{ id: string; name: string }>>('listProfiles');
    await page.goto(`${web.url}#/sign-in/${profiles.find((p) => p.name === name)!.id}`);
    await shown(heading(`Sign in to ${name}`), 20_000);
    await main().getByLabel('Username', { exact: true }).fill(PEER_ADMIN.username);
    await main().getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
  }

  /** Switch to a variation from the header, signing in right there (no saved sign-in for it). */
  async function switchTo(name: string, username: string = PEER_ADMIN.username) {
    await page.getByRole('button', { name: /^Connection: / }).click();
    await page.getByRole('menuitemradio', { name: new RegExp(`^${name}`) }).click();
    // Leaving a form with something typed asks first.
    const leave = page.getByRole('dialog', { name: `Switch to ${name}?` });
    if (await leave.isVisible().catch(() => false)) await leave.getByRole('button', { name: 'Switch and discard' }).click();
    const popover = page.getByRole('dialog', { name: `Connect to ${name}` });
    await shown(popover, 20_000);
    await popover.getByLabel('Username', { exact: true }).fill(username);
    await popover.getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
    await popover.getByRole('button', { name: 'Sign in' }).click();
    await hasText(page.locator('header .switch-button'), name, 20_000);
    await shown(heading('Users'), 20_000);
  }

  beforeAll(async () => {
    process.stdout.write(`variants e2e: ${ensureRendererBuilt()}\n`);
    const started = await Promise.all(
      ['otp', 'readonly-superuser', 'email-login', 'orgs'].map(async (variant) => [variant, await startDjangoPeer({ variant })] as const),
    );
    for (const [variant, peer] of started) peers[variant] = peer;
    await peers.otp!.shell(
      "from django_otp.plugins.otp_totp.models import TOTPDevice\nfrom users.models import User\nTOTPDevice.objects.create(user=User.objects.get(username='admin'), name='phone', key='3132333435363738393031323334353637383930')",
    );
    await peers['readonly-superuser']!.shell("from users.models import User\nUser.objects.create_user('viewer', password='viewer has a passphrase')");
    await peers.orgs!.shell(
      [
        'from users.models import User',
        'from organizations.models import Organization, OrganizationMember',
        "acme = Organization.objects.create(slug='acme', name='Acme Corp')",
        "OrganizationMember.objects.create(organization=acme, user=User.objects.create_user('ana', password='x'), role='admin')",
        "OrganizationMember.objects.create(organization=acme, user=User.objects.create_user('ben', password='x'), role='member')",
      ].join('\n'),
    );
    dataDir = tempDir();
    web = await startConsoleWeb(dataDir);
    for (const [name, variant] of [
      ['With a code', 'otp'],
      ['Read-only roles', 'readonly-superuser'],
      ['Email sign-in', 'email-login'],
      ['With organizations', 'orgs'],
    ] as const) {
      await bridge('saveProfile', { name, kind: 'remote', url: peers[variant]!.url });
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    kit.watch(page);
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopConsoleAndClean(web, dataDir);
    await Promise.all(Object.values(peers).map((p) => p.stop()));
  });

  it('a one-time code: asked for after the right password, in a field of its own, and the sign-in goes through with it', async () => {
    diagnoseOnFailure('otp');
    await signInCard('With a code');
    await main().getByRole('button', { name: 'Sign in' }).click();
    const code = main().getByLabel('One-time code');
    await shown(code);
    await hasText(main(), /One-time code is required by this admin site/);
    await shots('otp-asked', [1280]);
    // Focus is in the new field, ready for the code.
    expect(await code.evaluate((e) => e === document.activeElement)).toBe(true);
    const token = (
      await peers.otp!.shell(
        [
          'from django_otp.oath import TOTP',
          'from django_otp.plugins.otp_totp.models import TOTPDevice',
          'd = TOTPDevice.objects.get()',
          't = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)',
          'print(str(t.token()).zfill(d.digits))',
        ].join('\n'),
      )
    )
      .trim()
      .split('\n')
      .at(-1)!;
    await code.fill(token);
    await main().getByLabel('Password', { exact: true }).fill(PEER_ADMIN.password);
    await main().getByRole('button', { name: 'Sign in' }).click();
    await shown(heading('Users'), 20_000);
    await hasText(page.locator('header .switch-button'), 'With a code');
  }, 60_000);

  it('a superuser flag the admin shows read-only: shown as it is, disabled, with the server named as the place to change it', async () => {
    diagnoseOnFailure('readonly');
    await switchTo('Read-only roles');
    await main().getByRole('link', { name: 'viewer', exact: true }).click();
    await shown(heading('viewer'));
    const superuser = main().getByRole('checkbox', { name: 'Superuser status' });
    expect(await superuser.isDisabled()).toBe(true);
    expect(await superuser.isChecked()).toBe(false);
    await hasText(main().locator('.permissions'), /shows it read-only/);
    expect(await main().getByRole('checkbox', { name: 'Staff status' }).isDisabled()).toBe(false);
    // A new user's second step refused by the admin (a domain label over 63 characters): the account exists, and can be deleted here.
    await page.goto(`${web.url}#/users/new`);
    await shown(heading('Add user'));
    await main().getByLabel('Username').fill('frank');
    await main()
      .getByLabel('Email')
      .fill(`frank@${'a'.repeat(70)}.example`);
    await main().getByLabel('Password', { exact: true }).fill('frank keeps a long passphrase');
    await main().getByLabel('Password again').fill('frank keeps a long passphrase');
    await main().getByRole('button', { name: 'Save', exact: true }).click();
    const incomplete = main().locator('.incomplete-user');
    await shown(incomplete);
    await hasText(incomplete, /The user was created, but not all of it was saved/);
    expect(await incomplete.getByRole('button', { name: 'Finish in the editor' }).evaluate((e) => e === document.activeElement)).toBe(true);
    await shots('incomplete-user', [1280]);
    await incomplete.getByRole('button', { name: 'Delete the user' }).click();
    await shown(page.locator('.toast', { hasText: 'Deleted the half-made user' }));
    expect(
      (await peers['readonly-superuser']!.shell("from users.models import User\nprint(User.objects.filter(username='frank').count())"))
        .trim()
        .split('\n')
        .at(-1),
    ).toBe('0');
  }, 60_000);

  it('users who sign in with their email: one field, labelled so, and a user made with it', async () => {
    diagnoseOnFailure('email-login');
    await switchTo('Email sign-in', PEER_ADMIN.email);
    await page.goto(`${web.url}#/users/new`);
    await shown(heading('Add user'));
    expect(await main().getByLabel('Email', { exact: true }).count()).toBe(0);
    await main().getByLabel('Email (sign-in name)').fill('grace@example.com');
    await main().getByLabel('Password', { exact: true }).fill('grace keeps a long passphrase');
    await main().getByLabel('Password again').fill('grace keeps a long passphrase');
    await main().getByRole('button', { name: 'Save', exact: true }).click();
    await shown(page.locator('.toast', { hasText: 'Saved grace@example.com' }));
  }, 60_000);

  it('organizations: the sentence where the admin lists none; read-only, members and roles as the admin shows them, where it does', async () => {
    diagnoseOnFailure('orgs');
    await page.goto(`${web.url}#/organizations`);
    await shown(heading('Organizations'));
    await hasText(main(), /lists no organization model/);
    // switchTo lands on Users (switching from Organizations would stay on Organizations, of the other server).
    await page.goto(`${web.url}#/users`);
    await shown(heading('Users'));
    await switchTo('With organizations');
    await page.goto(`${web.url}#/organizations`);
    await shown(heading('Organizations'));
    await hasText(main(), /shows this Graphistry's organizations read-only/);
    expect(await main().getByRole('button', { name: 'Create organization' }).count()).toBe(0);
    const acme = main().locator('table.orgs-table tbody tr').first();
    await hasText(acme, /acme\s+Acme Corp\s+Not listed/);
    await shots('orgs-readonly', [1280, 900]);
    await acme.getByRole('link', { name: 'acme' }).click();
    await shown(heading('Acme Corp'));
    const members = main().locator('table.org-members-table tbody tr');
    await hasText(members.nth(0), /ana.*Admin/s);
    await hasText(members.nth(1), /ben.*Member/s);
    expect(
      await main()
        .getByRole('button', { name: /Remove|Make/ })
        .count(),
    ).toBe(0);
    await shots('org-readonly', [1280, 900]);
  }, 60_000);

  it('the pages threw no uncaught errors', () => {
    expect(kit.pageErrors).toEqual([]);
  });
});
