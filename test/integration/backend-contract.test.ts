// One contract for every backend: the same tests against the bundled server
// and against a real Django admin (the reference Graphistry peer) on Django
// 3.2, 4.2 and 5.2. Where a server lacks a feature, the test expects the
// UNSUPPORTED error with exactly the sentence its declared capabilities give,
// and nothing else differs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src-main/contracts.ts';
import { failure } from '../helpers/failure.ts';
import { startTestIdp } from '../helpers/test-idp.ts';
import { BULK_MAX_USERS, type BackendFeature, type User, type UserQuery } from '../../src-shared/domain.ts';
import { embeddedTarget, graphistryTargets, type ContractHarness } from '../helpers/contract-targets.ts';

const PASSWORD = 'carol keeps a long passphrase';
const names = (users: ReadonlyArray<{ username: string }>) => users.map((u) => u.username);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

for (const target of [embeddedTarget, ...(await graphistryTargets())]) {
  const missing = await target.missing();
  if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the backend contract against the ${target.name}.\n\n`);

  (missing ? describe.skip : describe)(`backend contract: ${target.name}`, () => {
    let h: ContractHarness;
    let admin: Backend;
    let me: User;
    beforeAll(async () => {
      h = await target.start();
      admin = h.admin;
      me = await admin.me();
    }, 90_000);
    afterAll(async () => h?.close());
    const unsupported = (f: BackendFeature) => h.expected.unsupported[f];

    it('says who is signed in, and declares what it offers', async () => {
      expect(me).toMatchObject({ username: h.adminName, is_superuser: true, is_staff: true, is_active: true });
      expect(me.date_joined).toMatch(ISO);
      expect(await admin.capabilities()).toEqual(h.expected);
    });

    it('creates a user and reads it back; a first API key comes with it only where the server makes one', async () => {
      const carol = await admin.createUser({ username: 'carol', password: PASSWORD, email: 'carol@example.com', is_staff: true });
      expect(carol.user).toMatchObject({
        username: 'carol',
        email: 'carol@example.com',
        is_staff: true,
        is_superuser: false,
        is_active: true,
        last_login: null,
      });
      if (unsupported('first_key')) expect(carol.key).toBeNull();
      else expect(carol.key?.authorization).toMatch(/^PersonalKey \S+:\S+$/);
      expect(await admin.getUser(carol.user.id)).toEqual(carol.user);
    });

    it('lists users with search, filters, ordering and paging, every column filled', async () => {
      await admin.createUser({ username: 'dave', password: PASSWORD });
      const staff = await admin.listUsers({ is_staff: true, ordering: '-username', page_size: 1 });
      expect(staff).toMatchObject({ count: 2, page: 1, page_size: 1 });
      expect(names(staff.results)).toEqual(['carol']);
      expect(names((await admin.listUsers({ search: 'DAV', ordering: 'username' })).results)).toEqual(['dave']);
      const second = await admin.listUsers({ is_superuser: false, is_active: true, ordering: 'username', page: 2, page_size: 1 });
      expect(second.count).toBe(2);
      expect(names(second.results)).toEqual(['dave']);
      const all = await admin.listUsers({ ordering: 'username' });
      expect(names(all.results)).toEqual(['admin', 'carol', 'dave']);
      // How each user signs in is said only where the server can tell; a Graphistry declares it absent rather than guessing.
      const signIn = unsupported('sign_in_method') ? [] : ['sign_in'];
      for (const u of all.results) {
        expect(Object.keys(u).sort()).toEqual(['date_joined', 'email', 'id', 'is_active', 'is_staff', 'is_superuser', 'last_login', ...signIn, 'username']);
        expect(u.date_joined).toMatch(ISO);
        if (signIn.length) expect(u.sign_in).toEqual({ password: true, sso: [] });
      }
      expect(all.results[0]).toMatchObject({ email: 'admin@example.com', is_superuser: true, last_login: expect.stringMatching(ISO) });
      expect(all.results[2]).toMatchObject({ email: null, is_staff: false, last_login: null });
    });

    it('updates, sets a password and deletes a user', async () => {
      const carol = (await admin.listUsers({ search: 'carol', ordering: 'username' })).results[0]!;
      expect(await admin.updateUser(carol.id, { is_staff: false, email: null })).toMatchObject({ id: carol.id, is_staff: false, email: null });
      expect((await admin.getUser(carol.id)).is_staff).toBe(false);
      await admin.setUserPassword(carol.id, 'a much better passphrase');
      expect((await h.anon.login('carol', 'a much better passphrase')).token.split('.')).toHaveLength(3);
      await admin.deleteUser(carol.id);
      expect(await failure(admin.getUser(carol.id))).toMatchObject({
        code: 'NOT_FOUND',
        serverCode: 'USER_NOT_FOUND',
        message: `No user with id ${carol.id}.`,
      });
    });

    it('refuses to leave no active superuser, with the same code and sentence', async () => {
      const demote = await failure(admin.updateUser(me.id, { is_superuser: false }));
      expect(demote).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'LAST_SUPERUSER',
        message: 'This is the last active superuser: make another superuser first.',
      });
      expect(demote.fields?.map((f) => f.field)).toEqual(['is_superuser']);
      expect((await failure(admin.updateUser(me.id, { is_active: false }))).fields?.map((f) => f.field)).toEqual(['is_active']);
      expect(await failure(admin.deleteUser(me.id))).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'LAST_SUPERUSER',
        message: 'This is the last active superuser and cannot be deleted.',
      });
      expect(await admin.me()).toMatchObject({ is_superuser: true, is_active: true });
    });

    it('maps refused input to the field it concerns', async () => {
      const weak = await failure(admin.createUser({ username: 'erin', password: 'erin' }));
      expect(weak).toMatchObject({ code: 'VALIDATION' });
      expect(weak.fields?.map((f) => f.field)).toContain('password');
      const badName = await failure(admin.createUser({ username: 'has space', password: PASSWORD }));
      expect(badName).toMatchObject({ code: 'VALIDATION', fields: [expect.objectContaining({ field: 'username' })] });
      expect(await failure(admin.createUser({ username: 'ADMIN', password: PASSWORD }))).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'USERNAME_TAKEN',
        fields: [{ field: 'username' }],
      });
      expect(await failure(admin.getUser(999_999))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'USER_NOT_FOUND' });
    });

    it('opens and closes registration; settings that are not switches are read-only or typed in, never switched', async () => {
      const settings = await admin.getSettings();
      expect(settings.find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')).toMatchObject({ type: 'boolean', value: false });
      expect(settings.find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.description).not.toBe('');
      const opened = await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: true });
      expect(opened.find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.value).toBe(true);
      expect((await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: false })).find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.value).toBe(false);
      // IS_SSO_SIGNUP is a switch on both (a constance boolean on a Graphistry); changing it, and putting it back, moves nothing else.
      const values = (list: ReadonlyArray<{ key: string; value: unknown }>) => Object.fromEntries(list.map((x) => [x.key, x.value]));
      const before = values(await admin.getSettings());
      expect(before.IS_SSO_SIGNUP).toBe(false);
      expect(values(await admin.setSettings({ IS_SSO_SIGNUP: true }))).toEqual({ ...before, IS_SSO_SIGNUP: true });
      expect(values(await admin.setSettings({ IS_SSO_SIGNUP: false }))).toEqual(before);
      for (const other of settings.filter((s) => s.type !== 'boolean')) {
        // Shown read-only, except a text setting the server itself takes typed in (the bundled server's PUBLIC_URL); a switch's value is refused either way.
        if (other.read_only !== true) expect([other.key, other.type]).toEqual(['PUBLIC_URL', 'text']);
        expect(await failure(admin.setSettings({ [other.key]: true }))).toMatchObject({ code: 'VALIDATION', fields: [{ field: other.key }] });
      }
      expect(await failure(admin.setSettings({ NO_SUCH_SETTING: true }))).toMatchObject({ code: 'VALIDATION' });
    });

    it("mints the signed-in admin's own JWT", async () => {
      const { token, expires_at } = await admin.mintJwt();
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { username: string; exp: number };
      expect(claims.username).toBe(h.adminName);
      expect(Date.parse(expires_at)).toBe(claims.exp * 1000);
      expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    });

    it('answers UNSUPPORTED with the declared sentence for what it does not offer, and serves the rest', async () => {
      const someone = (await admin.listUsers({ search: 'dave', ordering: 'username' })).results[0]!.id;
      const calls: Record<Exclude<BackendFeature, 'first_key'>, () => Promise<unknown>> = {
        own_keys: () => admin.listKeys('me'),
        user_keys: () => admin.listKeys(someone),
        invitations: () => admin.listInvitations('pending'),
        audit: () => admin.listAudit({}),
        signup: () => h.anon.registrationState(),
        organizations: () => admin.listOrganizations({}),
        // Its first admin is dave, not the signed-in admin: later tests deactivate the signed-in admin and expect LAST_SUPERUSER alone.
        org_writes: () => admin.createOrganization({ slug: 'declared', admin_user_id: someone }),
        sso: () => admin.listSsoProviders(null),
        sign_in_method: () => admin.listUsers({ sign_in: 'password', ordering: 'username' }),
        lifecycle: () => admin.userLifecycle([someone], 'require_password_change', {}),
        user_export: () => admin.exportUsers({ search: 'dave' }, 'csv'),
        dormancy_filters: () => admin.listUsers({ inactive_days: 90, ordering: 'username' }),
      };
      for (const [feature, call] of Object.entries(calls) as Array<[BackendFeature, () => Promise<unknown>]>) {
        const sentence = unsupported(feature);
        if (sentence) expect(await failure(call()), feature).toEqual({ code: 'UNSUPPORTED', serverCode: 'UNSUPPORTED', message: sentence });
        else await expect(call(), feature).resolves.toBeDefined();
      }
    });

    it('activates and deactivates each user on its own: only real changes count, a refusal stops none of the rest', async () => {
      const on = (await admin.createUser({ username: 'bulk-on', password: PASSWORD })).user;
      const off = (await admin.createUser({ username: 'bulk-off', password: PASSWORD, is_active: false })).user;
      const read = () => Promise.all([on.id, off.id, me.id].map((id) => admin.getUser(id)));
      const before = await read();
      const result = await admin.setUsersActive([on.id, off.id, me.id, 999_999], false);
      const after = await read();
      expect(result.changed).toEqual([after[0]]);
      expect(after[0]).toEqual({ ...before[0], is_active: false });
      expect(result.unchanged).toEqual([before[1]]);
      expect(result.failed).toEqual([
        { id: me.id, code: 'LAST_SUPERUSER', message: 'This is the last active superuser: make another superuser first.' },
        { id: 999_999, code: 'USER_NOT_FOUND', message: 'No user with id 999999.' },
      ]);
      // Nothing else moved: the inactive user and the signed-in admin read back as they were.
      expect(after.slice(1)).toEqual(before.slice(1));
      // Undo touches only what changed.
      const undo = await admin.setUsersActive(
        result.changed.map((u) => u.id),
        true,
      );
      expect([undo.changed.map((u) => u.username), undo.unchanged, undo.failed]).toEqual([['bulk-on'], [], []]);
      expect((await admin.getUser(off.id)).is_active).toBe(false);
      expect(await admin.setUsersActive([], true)).toEqual({ changed: [], unchanged: [], failed: [] });
      expect(
        await failure(
          admin.setUsersActive(
            Array.from({ length: 501 }, (_, i) => i + 1),
            true,
          ),
        ),
      ).toMatchObject({ code: 'VALIDATION' });
    });

    it('lists the ids of every user a query matches, as its pages list them, with an exact count', async () => {
      for (let i = 0; i < 5; i++) await admin.createUser({ username: `pager${i}`, password: PASSWORD, is_staff: i % 2 === 0 });
      const query: Omit<UserQuery, 'page' | 'page_size'> = { search: 'PAGER', is_staff: true, ordering: '-username' };
      const paged: number[] = [];
      for (let page = 1; page <= 3; page++) paged.push(...(await admin.listUsers({ ...query, page, page_size: 2 })).results.map((u) => u.id));
      expect(paged).toHaveLength(3);
      expect(await admin.listUserIds(query, BULK_MAX_USERS)).toEqual({ count: 3, ids: paged });
      expect(await admin.listUserIds(query, 2)).toEqual({ count: 3, ids: paged.slice(0, 2) });
      const everyone = (await admin.listUsers({ ordering: 'username', page_size: 50 })).results.map((u) => u.id);
      expect(await admin.listUserIds({ ordering: 'username' }, 1)).toEqual({ count: everyone.length, ids: everyone.slice(0, 1) });
      expect(await admin.listUserIds({ search: 'nobody-matches' }, 10)).toEqual({ count: 0, ids: [] });
      expect(await failure(admin.listUserIds(query, BULK_MAX_USERS + 1))).toMatchObject({ code: 'VALIDATION' });
    });

    it('single sign-on IdPs: add (the secret never answered), list, test, disable, remove, site-wide and an organization’s', async () => {
      const secret = 'contract-client-secret-4f1e9a';
      const input = {
        name: 'corp',
        template: 'keycloak',
        client_id: 'graphistry-admin',
        client_secret: secret,
        scopes: 'openid email',
        enabled: true,
        link_verified_email: false,
      } as const;
      const sentence = unsupported('sso');
      if (sentence) {
        // Refused before anything is sent, the secret in no sentence.
        for (const call of [
          () => admin.listSsoProviders(null),
          () => admin.addSsoProvider(null, { ...input, issuer: 'https://idp.example.com/realms/acme' }),
          () => admin.updateSsoProvider('acme', 'corp', { client_secret: secret }),
          () => admin.removeSsoProvider(null, 'corp'),
          () => admin.testSsoProvider(null, 'corp'),
        ])
          expect(await failure(call())).toEqual({ code: 'UNSUPPORTED', serverCode: 'UNSUPPORTED', message: sentence });
        return;
      }
      const idp = await startTestIdp({ redirectUris: [`${admin.baseUrl}/g/sso/oidc/corp/login/callback`], clientSecret: secret });
      try {
        const answers: unknown[] = [];
        const added = await admin.addSsoProvider(null, { ...input, issuer: idp.issuer });
        answers.push(added);
        expect(added).toMatchObject({
          name: 'corp',
          organization: null,
          issuer: idp.issuer,
          has_client_secret: true,
          enabled: true,
          redirect_path: '/g/sso/oidc/corp/login/callback',
        });
        expect(await failure(admin.addSsoProvider(null, { ...input, issuer: idp.issuer }))).toMatchObject({
          code: 'CONFLICT',
          serverCode: 'SSO_PROVIDER_TAKEN',
        });
        const unreachable = await failure(admin.addSsoProvider(null, { ...input, name: 'nowhere', issuer: 'http://127.0.0.1:9/realms/x' }));
        expect(unreachable).toMatchObject({
          code: 'VALIDATION',
          serverCode: 'SSO_DISCOVERY_FAILED',
          message: expect.stringContaining('/.well-known/openid-configuration'),
        });
        // A refused secret is in no part of the refusal.
        const badSecret = await failure(admin.addSsoProvider(null, { ...input, name: 'other', issuer: idp.issuer, client_secret: `${secret}\u0007` }));
        expect(badSecret).toMatchObject({ code: 'VALIDATION', fields: [expect.objectContaining({ field: 'client_secret' })] });
        expect(JSON.stringify(badSecret)).not.toContain(secret);
        const tested = await admin.testSsoProvider(null, 'corp');
        answers.push(tested);
        expect(tested).toMatchObject({ ok: true, issuer: idp.issuer, jwks_keys: 1 });
        expect(tested.authorization_url).toContain(encodeURIComponent(`${admin.baseUrl}/g/sso/oidc/corp/login/callback`));
        answers.push(await admin.updateSsoProvider(null, 'corp', { enabled: false, client_secret: `${secret}-replaced` }));
        const listed = await admin.listSsoProviders(null);
        answers.push(listed);
        expect(listed).toMatchObject([{ name: 'corp', enabled: false, has_client_secret: true }]);
        // An organization's IdPs are its own (a superuser manages them as its admin).
        answers.push(await admin.addSsoProvider('declared', { ...input, issuer: idp.issuer, client_secret: undefined }));
        expect(await admin.listSsoProviders('declared')).toMatchObject([
          { name: 'corp', organization: 'declared', has_client_secret: false, redirect_path: '/o/declared/sso/oidc/corp/login/callback' },
        ]);
        await admin.removeSsoProvider('declared', 'corp');
        await admin.removeSsoProvider(null, 'corp');
        expect(await admin.listSsoProviders(null)).toEqual([]);
        expect(await failure(admin.testSsoProvider(null, 'corp'))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'SSO_PROVIDER_NOT_FOUND' });
        const audit = await admin.listAudit({ action: 'sso.provider.update' });
        expect(audit.results[0]?.detail).toMatchObject({ client_secret_changed: true });
        for (const seen of [...answers, audit, await admin.listAudit({ page_size: 100 })]) expect(JSON.stringify(seen)).not.toContain(secret);
      } finally {
        await idp.close();
      }
    });

    // Last: the signed-in admin becomes an organization's admin here, which the tests above must not see.
    it('organizations: create, list, search, read, rename; members, roles, the last active admin kept; a user made in one; a user’s memberships', async () => {
      if (unsupported('org_writes')) {
        // A server that shows organizations read-only or not at all: checked above (UNSUPPORTED with its sentence) and in graphistry-orgs.test.ts.
        expect(await failure(admin.addOrgMember('pk-1', me.id, 'admin'))).toMatchObject({ code: 'UNSUPPORTED', message: unsupported('org_writes') });
        return;
      }
      const acme = await admin.createOrganization({ slug: 'Acme', name: 'Acme Corp' });
      expect(acme).toMatchObject({ ref: 'acme', slug: 'acme', name: 'Acme Corp', join_policy: 'invite_only', member_count: 1, admin_count: 1, role: 'admin' });
      expect(acme.created_at).toMatch(ISO);
      await admin.createOrganization({ slug: 'globex', name: 'Globex' });
      expect((await admin.listOrganizations({ search: 'acm' })).results.map((o) => o.slug)).toEqual(['acme']);
      expect((await admin.listOrganizations({ ordering: '-slug' })).results.map((o) => o.slug).slice(0, 2)).toEqual(['globex', 'declared']);
      expect(await admin.updateOrganization('acme', { name: 'Acme' })).toMatchObject({ ref: 'acme', name: 'Acme' });
      expect(await admin.getOrganization('ACME')).toMatchObject({ slug: 'acme', name: 'Acme' });
      expect(await failure(admin.getOrganization('nowhere'))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'ORG_NOT_FOUND' });
      expect(await failure(admin.createOrganization({ slug: 'acme' }))).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'SLUG_TAKEN',
        fields: [{ field: 'slug' }],
      });

      const made = await admin.createOrgUser('acme', { username: 'ana', password: PASSWORD, email: 'ana@example.com' }, 'member');
      expect(made.user).toMatchObject({ username: 'ana', email: 'ana@example.com' });
      expect(made.key?.authorization).toMatch(/^PersonalKey /);
      expect(made.member).toMatchObject({ user_id: made.user.id, username: 'ana', role: 'member', is_active: true });
      const dave = (await admin.listUsers({ search: 'dave' })).results[0]!;
      expect(await admin.addOrgMember('acme', dave.id, 'member')).toMatchObject({ username: 'dave', role: 'member' });
      expect(await failure(admin.addOrgMember('acme', dave.id, 'admin'))).toMatchObject({ code: 'CONFLICT', serverCode: 'ALREADY_MEMBER' });

      const members = await admin.listOrgMembers('acme', {});
      expect(members.count).toBe(3);
      expect(members.results.map((m) => [m.username, m.role]).sort()).toEqual([
        ['admin', 'admin'],
        ['ana', 'member'],
        ['dave', 'member'],
      ]);
      const refused = await failure(admin.setOrgMemberRole('acme', me.id, 'member'));
      expect(refused).toMatchObject({ code: 'CONFLICT', serverCode: 'LAST_ORG_ADMIN', fields: [{ field: 'role' }] });
      expect(refused.message).toContain('last active admin');
      expect(await failure(admin.removeOrgMember('acme', me.id))).toMatchObject({ code: 'CONFLICT', serverCode: 'LAST_ORG_ADMIN' });
      expect(await admin.setOrgMemberRole('acme', dave.id, 'admin')).toMatchObject({ username: 'dave', role: 'admin' });
      expect(await admin.setOrgMemberRole('acme', me.id, 'member')).toMatchObject({ role: 'member' });
      await admin.removeOrgMember('acme', made.user.id);
      expect((await admin.listOrgMembers('acme', { search: 'an' })).results).toEqual([]);
      expect(await admin.getOrganization('acme')).toMatchObject({ member_count: 2, admin_count: 1, role: 'member' });

      const of = await admin.listUserMemberships(dave.id);
      expect(of.map((m) => [m.organization.ref, m.role]).sort()).toEqual([
        ['acme', 'admin'],
        ['declared', 'admin'],
      ]);
      expect(of[0]!.joined_at).toMatch(ISO);
      await admin.deleteOrganization('globex');
      expect(await failure(admin.getOrganization('globex'))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'ORG_NOT_FOUND' });
    });
  });
}
