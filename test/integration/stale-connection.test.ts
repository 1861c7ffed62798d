// Every bridge call that acts on a server names the connection it was
// prepared for; once the console has switched elsewhere (or signed in again),
// main refuses it with STALE_CONNECTION and nothing reaches any server. Here
// through web mode's real HTTP bridge, over three real servers whose users
// share ids: two bundled-style servers and a Graphistry (the Django peer).
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_METHODS, type ConnectionStatus, type ConsoleParams, type ServerMethod } from '../../src-shared/console-api.ts';
import type { ConsoleError, Result } from '../../src-shared/console-errors.ts';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { createEmbeddedBackend } from '../../src-main/backend/embedded-backend.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import { createDispatcher } from '../../src-main/bridge/dispatch.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import type { Backend } from '../../src-main/contracts.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { createKeychainVault } from '../../src-main/vault/keychain-vault.ts';
import { createWebHost, type WebHost } from '../../src-main/web/web-host.ts';
import { makeTestApp, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

/** Where a stale add would point; it is never asked, since nothing reaches a server. */
const STALE_ISSUER = 'https://idp.example.com/realms/stale';

type Prepared = { [M in ServerMethod]: Omit<ConsoleParams<M>, 'connection'> };

/** What the admin's screen prepared on the old connection: one call per method, each aimed at user 2 (who exists on every server). */
function prepared(keyId: string, invitationId: string, orgInvitationId: string): Prepared {
  return {
    listUsers: { search: 'a' },
    listUserIds: { filter: {} },
    getUser: { id: 2 },
    getUsers: { ids: [2, 3] },
    createUser: { username: 'stale.newcomer', password: STRONG_PASSWORD },
    updateUser: { id: 2, patch: { is_staff: true, email: 'changed@example.com' } },
    deleteUser: { id: 2 },
    setUserPassword: { id: 2, password: 'a stale new passphrase' },
    setUsersActive: { ids: [2, 3], active: false },
    userLifecycle: { ids: [2, 3], action: 'sign_out', revoke_keys: true },
    exportUsers: { filter: { inactive_days: 30 }, format: 'csv' },
    listKeys: { user: 2 },
    createKey: { user: 2, name: 'stale key' },
    revokeKey: { user: 'me', keyId },
    mintJwt: {},
    getSettings: {},
    setSettings: { changes: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } },
    listInvitations: { status: 'all' },
    createInvitation: { note: 'stale' },
    revokeInvitation: { id: invitationId },
    listAudit: {},
    exportAudit: { target_user_id: 2 },
    listOrganizations: {},
    getOrganization: { org: 'acme' },
    createOrganization: { slug: 'stale-org' },
    updateOrganization: { org: 'acme', patch: { name: 'Stale' } },
    deleteOrganization: { org: 'acme' },
    listOrgMembers: { org: 'acme' },
    addOrgMember: { org: 'acme', user_id: 2, role: 'admin' },
    setOrgMemberRole: { org: 'acme', user_id: 2, role: 'admin' },
    removeOrgMember: { org: 'acme', user_id: 2 },
    createOrgUser: { org: 'acme', user: { username: 'stale.orguser', password: 'a stale org passphrase' }, role: 'member' },
    listUserMemberships: { id: 2 },
    listOrgInvitations: { org: 'acme', status: 'all' },
    createOrgInvitation: { org: 'acme', role: 'admin', note: 'stale' },
    revokeOrgInvitation: { org: 'acme', id: orgInvitationId },
    listSsoProviders: {},
    addSsoProvider: { org: 'acme', provider: { name: 'stale-idp', issuer: STALE_ISSUER, client_id: 'stale', client_secret: 'stale-secret' } },
    updateSsoProvider: { name: 'corp', patch: { enabled: false, client_secret: 'a stale replacement' } },
    removeSsoProvider: { name: 'corp' },
    testSsoProvider: { name: 'corp' },
    // "username\nstale.import\n": a real import, which must not happen.
    startImport: { file_name: 'stale.csv', content: 'dXNlcm5hbWUKc3RhbGUuaW1wb3J0Cg==', dry_run: false },
    importStatus: { run: '0123456789abcdef01234567' },
    stopImport: { run: '0123456789abcdef01234567' },
    importJournals: {},
  };
}

/** Everything a stale call could have changed on a server, as one comparable value. */
async function snapshot(b: Backend): Promise<unknown> {
  const users = (await b.listUsers({ ordering: 'username', page_size: 500 })).results.map(({ last_login: _l, ...u }) => u);
  const settings = (await b.getSettings()).map((s) => [s.key, s.value]);
  if (b.kind !== 'embedded') return { users, settings };
  const keys = await Promise.all(users.map(async (u) => (await b.listKeys(u.id)).map((k) => [k.id, k.name, k.revoked_at, k.expires_at])));
  const invitations = (await b.listInvitations('all')).map((i) => [i.id, i.status]);
  const audit = (await b.listAudit({ page_size: 1 })).count;
  const orgs = (await b.listOrganizations({ page_size: 500 })).results.map((o) => [o.slug, o.name, o.member_count]);
  const orgInvitations = await Promise.all(orgs.map(async ([slug]) => (await b.listOrgInvitations(String(slug), 'all')).map((i) => [i.id, i.role, i.status])));
  const idps = await Promise.all(
    [null, ...orgs.map(([slug]) => String(slug))].map(async (org) =>
      (await b.listSsoProviders(org)).map((p) => [p.organization, p.name, p.enabled, p.has_client_secret]),
    ),
  );
  return { users, settings, keys, invitations, audit, orgs, orgInvitations, idps };
}

const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the stale-connection test against a Graphistry (the bundled-server half still runs).\n\n`);

describe('a call prepared for another connection is refused with STALE_CONNECTION and changes nothing (web mode bridge)', () => {
  const appData = tempDir('gadm-stale-');
  const service = `graphistry-admin-console-test-${process.pid}-stale`;
  const servers: TestApp[] = [];
  let peer: DjangoPeer | null = null;
  let host: WebHost;
  let idp: TestIdp;
  /** Direct admin access to each server, beside the console, to read what it holds. */
  const direct = new Map<string, Backend>();
  const profiles = new Map<string, string>();
  const existing = new Map<string, { keyId: string; invitationId: string; orgInvitationId: string }>();

  async function bridge<T>(method: string, params: unknown): Promise<Result<T>> {
    const res = await fetch(`http://127.0.0.1:${host.port}/bridge/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': host.token },
      body: JSON.stringify(params),
    });
    return (await res.json()) as Result<T>;
  }
  async function signIn(name: string): Promise<string> {
    const password = name === 'Graphistry' ? PEER_ADMIN.password : STRONG_PASSWORD;
    const r = await bridge<ConnectionStatus>('signIn', { profileId: profiles.get(name), username: 'admin', password });
    if (!r.ok) throw new Error(`signIn ${name}: ${JSON.stringify(r.error)}`);
    expect(r.value.connection).toMatch(/^[\w-]+\.[0-9a-f]{16}$/);
    return r.value.connection!;
  }

  /** Every server method, prepared for `old`, sent while the console is on `now`: refused, naming both, and no server changed. */
  async function refusedAll(old: { name: string; connection: string }, now: string, message: RegExp) {
    const before = new Map(await Promise.all([...direct].map(async ([n, b]) => [n, await snapshot(b)] as const)));
    const ids = existing.get(old.name) ?? { keyId: 'abc123', invitationId: 'inv1', orgInvitationId: 'inv2' };
    const calls = prepared(ids.keyId, ids.invitationId, ids.orgInvitationId);
    for (const method of SERVER_METHODS) {
      const r = await bridge(method, { connection: old.connection, ...calls[method] });
      expect(r.ok, `${method} prepared for ${old.name}, sent while on ${now}`).toBe(false);
      const error = (r as { error: ConsoleError }).error;
      expect(error.code, method).toBe('STALE_CONNECTION');
      expect(error.message, method).toMatch(message);
    }
    for (const [n, b] of direct) expect(await snapshot(b), `${n} after stale calls`).toEqual(before.get(n));
  }

  beforeAll(async () => {
    idp = await startTestIdp({ redirectUris: ['http://127.0.0.1:9/g/sso/oidc/corp/login/callback'] });
    for (const name of ['Lab', 'Team']) {
      const t = await makeTestApp('sqlite');
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      servers.push(t);
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const anon = createEmbeddedBackend({ baseUrl: url });
      const first = await anon.signUp({ username: 'admin', password: STRONG_PASSWORD, email: 'admin@example.com' });
      const admin = anon.withAuth({ type: 'personal_key', id: first.key.id, secret: first.key.secret });
      // The same ids on both: 2 and 3 are different people on each server.
      await admin.createUser({ username: `${name.toLowerCase()}.two`, password: STRONG_PASSWORD });
      await admin.createUser({ username: `${name.toLowerCase()}.three`, password: STRONG_PASSWORD });
      const invitation = await admin.createInvitation({ note: 'kept' });
      // Organization acme on each, with a pending invitation link a stale call could revoke.
      await admin.createOrganization({ slug: 'acme' });
      const orgInvitation = await admin.createOrgInvitation('acme', { note: 'kept' });
      // A site-wide IdP a stale call could change, test or remove (the server reads its discovery when it is added).
      await admin.addSsoProvider(null, {
        name: 'corp',
        template: 'keycloak',
        issuer: idp.issuer,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        scopes: 'openid',
        enabled: true,
        link_verified_email: false,
      });
      existing.set(name, { keyId: first.key.id, invitationId: invitation.invitation.id, orgInvitationId: orgInvitation.invitation.id });
      direct.set(name, admin);
    }
    if (!missing) {
      peer = await startDjangoPeer();
      await peer.shell(
        "from users.models import User\nUser.objects.create_user('peer.two', password='peer two passphrase')\nUser.objects.create_user('peer.three', password='peer three passphrase')",
      );
      direct.set(
        'Graphistry',
        createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
          type: 'admin_password',
          username: PEER_ADMIN.username,
          password: async () => PEER_ADMIN.password,
        }),
      );
    }
    const handlers = createConsoleService({
      profiles: createProfilesStore(appData),
      vault: createKeychainVault({ service }),
      bundled: createBundledServer({ dataDir: join(appData, 'server') }),
      backends: createBackendFactory({ timeoutMs: 10_000 }),
      clipboard: null,
      machine: 'stale-test',
    });
    host = await createWebHost({ dispatch: createDispatcher(handlers), rendererDir: '/nonexistent-renderer' });
    for (const [name, t] of [
      ['Lab', servers[0]!],
      ['Team', servers[1]!],
    ] as const) {
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const r = await bridge<{ id: string }>('saveProfile', { name, kind: 'remote', url });
      profiles.set(name, (r as { value: { id: string } }).value.id);
    }
    if (peer)
      profiles.set(
        'Graphistry',
        ((await bridge<{ id: string }>('saveProfile', { name: 'Graphistry', kind: 'remote', url: peer.url })) as { value: { id: string } }).value.id,
      );
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    const vault = createKeychainVault({ service });
    for (const id of profiles.values()) await vault.delete(id).catch(() => undefined);
    for (const t of servers) await t.close();
    await peer?.stop();
    await idp?.close();
    rmSync(appData, { recursive: true, force: true });
  });

  it('the current connection is served (the control): the same call with the right connection works', async () => {
    const lab = await signIn('Lab');
    const r = await bridge<{ username: string }>('getUser', { connection: lab, id: 2 });
    expect(r).toMatchObject({ ok: true, value: { username: 'lab.two' } });
  });

  it('bundled-style server to another: each of the methods prepared for Lab is refused once the console is on Team', async () => {
    const lab = await signIn('Lab');
    await signIn('Team');
    await refusedAll(
      { name: 'Lab', connection: lab },
      'Team',
      /^This was prepared for “Lab”, but the console is now connected to “Team”\. Nothing was changed\.$/,
    );
  });

  it('the same connection signed in to again: a call from the earlier sign-in is refused too', async () => {
    const earlier = await signIn('Team');
    await signIn('Team');
    await refusedAll(
      { name: 'Team', connection: earlier },
      'Team',
      /^This was prepared for an earlier sign-in to “Team”, but the console has signed in to “Team” again since\. Nothing was changed\.$/,
    );
  });

  it('after signing out: refused, saying the console is not connected', async () => {
    const team = await signIn('Team');
    expect((await bridge('disconnect', {})).ok).toBe(true);
    await refusedAll({ name: 'Team', connection: team }, 'nothing', /but the console is not connected now\. Nothing was changed\.$/);
  });

  (missing ? it.skip : it)(
    'to and from a Graphistry: calls prepared for either side are refused on the other',
    async () => {
      const team = await signIn('Team');
      const graphistry = await signIn('Graphistry');
      await refusedAll({ name: 'Team', connection: team }, 'Graphistry', /^This was prepared for “Team”, but the console is now connected to “Graphistry”/);
      await signIn('Lab');
      await refusedAll({ name: 'Graphistry', connection: graphistry }, 'Lab', /^This was prepared for “Graphistry”, but the console is now connected to “Lab”/);
    },
    120_000,
  );
});
