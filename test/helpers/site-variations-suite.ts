// The suite of graphistry-site-variations-<version>.test.ts, one file per
// Django version so that their peers run side by side.
//
// Admin sites that differ from the reference peer's around the user model
// (test/fixtures/graphistry-variants): a site under a prefix, django-axes,
// django-otp and constance settings that are not switches. Each sign-in
// outcome is said as the admin site says it, counted once; each settings write
// changes exactly the switch asked for, or is refused with nothing changed (a
// `dumpdata` before and after, compared).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { createDispatcher } from '../../src-main/bridge/dispatch.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { tempDir } from './app.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { Backend } from '../../src-main/contracts.ts';
import { failure } from './failure.ts';
import { PEER_ADMIN, PYTHON, startDjangoPeer, type DjangoPeer } from './django-peer.ts';
import type { DjangoRuntime, DjangoVersion } from './django-versions.ts';
import { dumpDiff, dumpPeer } from './peer-dump.ts';

const plugins = await promisify(execFile)(PYTHON, ['-c', 'import axes, django_otp']).then(
  () => null,
  () => `${PYTHON} lacks django-axes or django-otp (apt-get install python3-django-axes python3-django-otp)`,
);

function variation(django: DjangoVersion, variant: string, adminPath?: string) {
  const v = { peer: null as unknown as DjangoPeer, anon: null as unknown as Backend };
  beforeAll(async () => {
    v.peer = await startDjangoPeer({ variant, django });
    v.anon = createRemoteGraphistryBackend({ baseUrl: v.peer.url, ...(adminPath ? { adminPath } : {}) });
  }, 90_000);
  afterAll(async () => v.peer?.stop());
  const as = (password: string, otp?: string) =>
    v.anon.withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => password, ...(otp ? { otp } : {}) });
  /** POSTs the peer logged to a path. */
  const posts = (path: RegExp) => (v.peer.log().match(new RegExp(`"POST ${path.source}`, 'g')) ?? []).length;
  return { v, as, posts };
}

/** The variations on one Django version (graphistry-site-variations-<version>.test.ts). */
export function siteVariationsSuite(runtime: DjangoRuntime): void {
  const { version } = runtime;
  if (!runtime.ok) process.stderr.write(`\n!!! ${runtime.why}: SKIPPING the remote backend's admin site variations on Django ${version}.\n\n`);
  else if (plugins) process.stderr.write(`\n!!! ${plugins}: SKIPPING the django-axes and django-otp variations on Django ${version}.\n\n`);
  const suite = runtime.ok ? describe : describe.skip;
  const pluginSuite = runtime.ok && !plugins ? describe : describe.skip;

  suite(`an admin site under a prefix, its admin path given as /graphistry/admin/ (Django ${version})`, () => {
    const { v, as, posts } = variation(version, 'prefix', '/graphistry/admin/');

    it('signs in, and finds the token API beside the admin under the same prefix for Copy JWT and a password sign-in', async () => {
      const admin = as(PEER_ADMIN.password);
      expect(await admin.me()).toMatchObject({ username: 'admin', is_superuser: true });
      const { token } = await admin.mintJwt();
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ username: 'admin' });
      await expect.poll(() => posts(/\/graphistry\/api-token-auth\//)).toBe(1);
      // Found once, then asked there directly: the root's token paths are never tried again.
      const before = posts(/\/api-token-auth\//) + posts(/\/api\/v2\//);
      await admin.mintJwt();
      await expect.poll(() => posts(/\/graphistry\/api-token-auth\//)).toBe(2);
      expect(posts(/\/api-token-auth\//) + posts(/\/api\/v2\//)).toBe(before);
      expect((await v.anon.login('admin', PEER_ADMIN.password)).token.split('.')).toHaveLength(3);
      expect(await failure(v.anon.login('admin', 'not the password'))).toMatchObject({ serverCode: 'INVALID_CREDENTIALS' });
    });
  });

  pluginSuite(`django-axes (three wrong passwords lock the account) (Django ${version})`, () => {
    const { v, as, posts } = variation(version, 'axes');
    const failures = async () =>
      (await v.peer.shell('from axes.models import AccessAttempt\nprint(sum(a.failures_since_start for a in AccessAttempt.objects.all()))'))
        .trim()
        .split('\n')
        .at(-1);

    it('counts a wrong console sign-in once (the admin form only, never the token API as well)', async () => {
      const refused = await failure(as('not the password').me());
      expect(refused).toMatchObject({
        code: 'UNAUTHORIZED',
        serverCode: 'INVALID_CREDENTIALS',
        message: expect.stringContaining('Please enter the correct username and password'),
      });
      expect(await failures()).toBe('1');
      expect(posts(/\/api-token-auth\//) + posts(/\/api\/v2\/auth\//)).toBe(0);
    });

    it('once locked, says the account is locked in the site’s own words, even with the right password', async () => {
      await failure(as('not the password').me());
      await failure(as('still not the password').me());
      expect(await failures()).toBe('3');
      const locked = await failure(as(PEER_ADMIN.password).me());
      expect(locked).toMatchObject({ code: 'FORBIDDEN', serverCode: 'ACCOUNT_LOCKED' });
      expect(locked.message).toContain('“Account locked: too many login attempts. Contact an admin to unlock your account.”');
    });
  });

  pluginSuite(`django-otp (OTPAdminSite: a one-time code after the password) (Django ${version})`, () => {
    const { v, as } = variation(version, 'otp');
    beforeAll(async () => {
      await v.peer.shell(
        "from django_otp.plugins.otp_totp.models import TOTPDevice\nfrom users.models import User\nTOTPDevice.objects.create(user=User.objects.get(username='admin'), name='phone', key='3132333435363738393031323334353637383930')",
      );
    });
    /**
     * The device's code, as the authenticator app shows it: the current one, or
     * the next one where the current one was used (django-otp takes a code once,
     * and one step ahead of the clock).
     */
    const code = async () =>
      (
        await v.peer.shell(
          [
            'from django_otp.oath import TOTP',
            'from django_otp.plugins.otp_totp.models import TOTPDevice',
            'd = TOTPDevice.objects.get()',
            't = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)',
            'if t.t() <= d.last_t: t.time += d.step * (d.last_t + 1 - t.t())',
            'print(str(t.token()).zfill(d.digits))',
          ].join('\n'),
        )
      )
        .trim()
        .split('\n')
        .at(-1)!;

    it('asks for the code when the password is right, refuses a wrong code and a wrong password each in the site’s words', async () => {
      expect(await failure(as(PEER_ADMIN.password).me())).toMatchObject({
        code: 'UNAUTHORIZED',
        serverCode: 'OTP_REQUIRED',
        fields: [{ field: 'otp' }],
        message: expect.stringContaining('“Please enter your OTP token.”'),
      });
      expect(await failure(as(PEER_ADMIN.password, '000000').me())).toMatchObject({
        serverCode: 'OTP_INVALID',
        message: expect.stringContaining('Invalid token'),
      });
      // django-otp holds the device back for a second or more after a wrong code: lift that for the next test.
      await v.peer.shell(
        'from django_otp.plugins.otp_totp.models import TOTPDevice\nTOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)',
      );
      expect(await failure(as('not the password', await code()).me())).toMatchObject({ serverCode: 'INVALID_CREDENTIALS' });
    });

    it('signs in with the code; when the site ends the session, asks for a new code instead of reusing it', async () => {
      const admin = as(PEER_ADMIN.password, await code());
      expect(await admin.me()).toMatchObject({ username: 'admin', is_superuser: true });
      expect((await admin.listUsers({})).count).toBe(1);
      await v.peer.shell('from django.contrib.sessions.models import Session\nSession.objects.all().delete()');
      expect(await failure(admin.listUsers({}))).toMatchObject({ serverCode: 'OTP_REQUIRED', message: expect.stringContaining('ended the session') });
    });

    it('through the console’s bridge: signIn takes the code beside the password, and refuses one that is not a code', async () => {
      const appData = tempDir('gadm-otp-console-');
      const dispatch = createDispatcher(
        createConsoleService({
          profiles: createProfilesStore(appData),
          // No keychain: nothing is kept, the code least of all.
          vault: {
            status: async () => ({ available: false, detail: 'test' }),
            get: async () => null,
            set: async () => undefined,
            delete: async () => undefined,
          },
          bundled: createBundledServer({ dataDir: join(appData, 'server') }),
          backends: createBackendFactory({ timeoutMs: 5_000 }),
          clipboard: null,
          machine: 'test-machine',
        }),
      );
      try {
        const saved = await dispatch('saveProfile', { name: 'otp peer', kind: 'remote', url: v.peer.url });
        const profileId = (saved as { ok: true; value: { id: string } }).value.id;
        const base = { profileId, username: 'admin', password: PEER_ADMIN.password };
        expect(await dispatch('signIn', base)).toMatchObject({ ok: false, error: { serverCode: 'OTP_REQUIRED', fields: [{ field: 'otp' }] } });
        expect(await dispatch('signIn', { ...base, otp: '12 34' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', fields: [{ field: 'otp' }] } });
        expect(await dispatch('signIn', { ...base, otp: await code() })).toMatchObject({ ok: true, value: { connected: true, user: { username: 'admin' } } });
      } finally {
        rmSync(appData, { recursive: true, force: true });
      }
    });
  });

  suite(`constance settings with several choices (check boxes) and one choice (a select) (Django ${version})`, () => {
    const { v, as } = variation(version, 'constance-multi');
    let admin: Backend;
    beforeAll(() => {
      admin = as(PEER_ADMIN.password);
    });

    it('shows them read-only with their values; only a single check box is a switch', async () => {
      const settings = await admin.getSettings();
      expect(settings.find((s) => s.key === 'DASHBOARD_TOOLS')).toMatchObject({ type: 'other', read_only: true, value: ['graphs', 'notebooks'] });
      expect(settings.find((s) => s.key === 'DEFAULT_TIER')).toMatchObject({ type: 'other', read_only: true, value: 'free' });
      expect(settings.filter((s) => s.type === 'boolean').map((s) => s.key)).toEqual([
        'IS_SIGNUPS_OPEN_AFTER_FIRST',
        'IS_SIGNUP_STAFF_BY_DEFAULT',
        'IS_SSO_SIGNUP',
      ]);
      expect(await failure(admin.setSettings({ DASHBOARD_TOOLS: false }))).toMatchObject({ code: 'VALIDATION', fields: [{ field: 'DASHBOARD_TOOLS' }] });
    });

    it('turning a switch changes that setting alone; the others go back exactly as they were', async () => {
      const values = async () =>
        JSON.parse(
          (await v.peer.shell('import json\nfrom constance import config, settings\nprint(json.dumps({k: getattr(config, k) for k in settings.CONFIG}))'))
            .trim()
            .split('\n')
            .at(-1)!,
        ) as Record<string, unknown>;
      const before = await values();
      expect((await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: true })).find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.value).toBe(true);
      // (constance's first save stores every setting's row, each with the value it had)
      expect(await values()).toEqual({ ...before, IS_SIGNUPS_OPEN_AFTER_FIRST: true });
      expect(before).toMatchObject({ DASHBOARD_TOOLS: ['graphs', 'notebooks'], DEFAULT_TIER: 'free' });
      const rows = await dumpPeer(v.peer);
      await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: false });
      expect(dumpDiff(rows, await dumpPeer(v.peer))).toEqual([expect.stringMatching(/^(database|constance)\.constance \d+ value$/)]);
    });

    it('a select whose stored value is no longer among its choices blocks every change, naming it, with nothing changed', async () => {
      await v.peer.shell("from constance import config\nconfig.DEFAULT_TIER = 'gold'");
      expect((await admin.getSettings()).find((s) => s.key === 'DEFAULT_TIER')).toMatchObject({
        value: null,
        description: expect.stringContaining('not among the choices'),
      });
      const before = await dumpPeer(v.peer);
      expect(await failure(admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: false }))).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'UNREADABLE_FIELD',
        fields: [{ field: 'DEFAULT_TIER' }],
      });
      expect(dumpDiff(before, await dumpPeer(v.peer))).toEqual([]);
    });
  });
}
