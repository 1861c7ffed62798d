// An organization's invitation links through the console's bridge, as the
// renderer calls it: web mode's real HTTP bridge, the console service, the
// embedded backend, and a real server on 127.0.0.1. Made, listed, used by a
// signed-in user (POST /api/v2/organizations/join), revoked; the whole link
// comes back once (the server's, or the connection's address in front of the
// path); a call prepared for an earlier sign-in is refused and changes nothing.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src-shared/console-api.ts';
import type { ConsoleError, Result } from '../../src-shared/console-errors.ts';
import type { OrgInvitation, OrgMember, Page } from '../../src-shared/domain.ts';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { createDispatcher } from '../../src-main/bridge/dispatch.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { createKeychainVault } from '../../src-main/vault/keychain-vault.ts';
import { createWebHost, type WebHost } from '../../src-main/web/web-host.ts';
import { makeTestApp, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';

const DORA = { username: 'dora', password: 'dora keeps a long passphrase' };

describe('organization invitations through the console bridge (web mode, real server)', () => {
  const appData = tempDir('gadm-org-inv-');
  const service = `graphistry-admin-console-test-${process.pid}-org-inv`;
  let server: TestApp;
  let serverUrl = '';
  let host: WebHost;
  let profileId = '';
  let connection = '';

  async function bridge<T>(method: string, params: unknown): Promise<Result<T>> {
    const res = await fetch(`http://127.0.0.1:${host.port}/bridge/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': host.token },
      body: JSON.stringify(params),
    });
    return (await res.json()) as Result<T>;
  }
  async function value<T>(method: string, params: unknown): Promise<T> {
    const r = await bridge<T>(method, params);
    if (!r.ok) throw new Error(`${method} answered ${r.error.code}: ${r.error.message}`);
    return r.value;
  }
  async function refusal(method: string, params: unknown): Promise<ConsoleError> {
    const r = await bridge(method, params);
    expect(r.ok, `${method} ${JSON.stringify(params)}`).toBe(false);
    return (r as { error: ConsoleError }).error;
  }
  async function signIn(): Promise<string> {
    const s = await value<ConnectionStatus>('signIn', { profileId, username: 'admin', password: STRONG_PASSWORD });
    return s.connection!;
  }
  const invitations = (status: 'pending' | 'all') => value<OrgInvitation[]>('listOrgInvitations', { connection, org: 'acme', status });
  /** A JWT for a password, as a client signs in. */
  async function jwt(username: string, password: string): Promise<string> {
    const res = await fetch(`${serverUrl}/api/v2/auth/token/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as { token: string };
    expect(res.status).toBe(200);
    return body.token;
  }

  beforeAll(async () => {
    server = await makeTestApp('sqlite');
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    serverUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    const signup = await fetch(`${serverUrl}/api/v2/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: STRONG_PASSWORD, email: 'admin@example.com' }),
    });
    expect(signup.status).toBeLessThan(300);
    const handlers = createConsoleService({
      profiles: createProfilesStore(appData),
      vault: createKeychainVault({ service }),
      bundled: createBundledServer({ dataDir: join(appData, 'server') }),
      backends: createBackendFactory({ timeoutMs: 10_000 }),
      clipboard: null,
      machine: 'org-inv-test',
    });
    host = await createWebHost({ dispatch: createDispatcher(handlers), rendererDir: '/nonexistent-renderer' });
    profileId = (await value<{ id: string }>('saveProfile', { name: 'Team', kind: 'remote', url: serverUrl })).id;
    connection = await signIn();
    await value('createOrganization', { connection, slug: 'acme', name: 'Acme Corp' });
    await value('createUser', { connection, ...DORA });
  }, 60_000);

  afterAll(async () => {
    await host?.close();
    if (profileId)
      await createKeychainVault({ service })
        .delete(profileId)
        .catch(() => undefined);
    await server?.close();
    rmSync(appData, { recursive: true, force: true });
  });

  let doraLink = '';

  it('creates a link for one admin: the whole link once (the connection’s address in front of the path, no public URL set), listed pending without its token', async () => {
    const made = await value<{ invitation: OrgInvitation; url: string }>('createOrgInvitation', {
      connection,
      org: 'acme',
      role: 'admin',
      expires_in_hours: 24,
      note: '  for Dora  ',
    });
    expect(made.invitation).toMatchObject({ role: 'admin', note: 'for Dora', status: 'pending', created_by: 'admin', used_by: null, revoked_at: null });
    expect(Object.keys(made.invitation)).not.toContain('token');
    expect(Object.keys(made.invitation)).not.toContain('grant_staff');
    const hours = (Date.parse(made.invitation.expires_at) - Date.parse(made.invitation.created_at)) / 3_600_000;
    expect(hours).toBeCloseTo(24, 1);
    expect(made.url.startsWith(`${serverUrl}/`)).toBe(true);
    doraLink = made.url;
    const pending = await invitations('pending');
    expect(pending.map((i) => [i.id, i.role, i.note, i.status])).toEqual([[made.invitation.id, 'admin', 'for Dora', 'pending']]);
    expect(JSON.stringify(pending)).not.toContain(new URL(made.url).pathname.split('/').filter(Boolean).at(-1));
    // The default role is member; the default listing is the pending links.
    const plain = await value<{ invitation: OrgInvitation }>('createOrgInvitation', { connection, org: 'acme' });
    expect(plain.invitation.role).toBe('member');
    expect((await value<OrgInvitation[]>('listOrgInvitations', { connection, org: 'acme' })).map((i) => i.id).sort()).toEqual(
      [made.invitation.id, plain.invitation.id].sort(),
    );
    expect((await value<OrgInvitation>('revokeOrgInvitation', { connection, org: 'acme', id: plain.invitation.id })).status).toBe('revoked');
  });

  it('dora, signed in, joins with it as admin; the link is then used, by her, and no longer pending', async () => {
    const token = new URL(doraLink).pathname.split('/').filter(Boolean).at(-1)!;
    const res = await fetch(`${serverUrl}/api/v2/organizations/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt(DORA.username, DORA.password)}` },
      body: JSON.stringify({ token }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const members = await value<Page<OrgMember>>('listOrgMembers', { connection, org: 'acme' });
    expect(members.results.find((m) => m.username === 'dora')).toMatchObject({ role: 'admin' });
    expect(await invitations('pending')).toEqual([]);
    const all = await invitations('all');
    expect(all.find((i) => i.note === 'for Dora')).toMatchObject({ status: 'used', used_by_username: 'dora' });
    expect(all.map((i) => i.status).sort()).toEqual(['revoked', 'used']);
  });

  it('with a public URL set, the link is the server’s own', async () => {
    await value('setSettings', { connection, changes: { PUBLIC_URL: 'https://graphistry.example.com' } });
    try {
      const made = await value<{ url: string }>('createOrgInvitation', { connection, org: 'acme', note: 'public' });
      expect(made.url.startsWith('https://graphistry.example.com/')).toBe(true);
    } finally {
      await value('setSettings', { connection, changes: { PUBLIC_URL: '' } });
    }
  });

  it('refuses bad input before the server, and says what the server refuses', async () => {
    const tooLong = await refusal('createOrgInvitation', { connection, org: 'acme', note: 'x'.repeat(255) });
    expect(tooLong.code).toBe('VALIDATION');
    expect(tooLong.fields?.map((f) => f.field)).toEqual(['note']);
    expect((await refusal('createOrgInvitation', { connection, org: 'acme', expires_in_hours: 0 })).fields?.map((f) => f.field)).toEqual(['expires_in_hours']);
    expect(await refusal('createOrgInvitation', { connection, org: 'nowhere' })).toMatchObject({ code: 'NOT_FOUND', serverCode: 'ORG_NOT_FOUND' });
    expect((await refusal('revokeOrgInvitation', { connection, org: 'acme', id: 'nosuchinvitation' })).code).toBe('NOT_FOUND');
  });

  it('a createOrgInvitation prepared for an earlier sign-in is refused with STALE_CONNECTION, and no link is made', async () => {
    const before = await invitations('all');
    const earlier = connection;
    connection = await signIn();
    const stale = await refusal('createOrgInvitation', { connection: earlier, org: 'acme', role: 'admin', note: 'stale' });
    expect(stale.code).toBe('STALE_CONNECTION');
    expect(stale.message).toMatch(/Nothing was changed\.$/);
    expect((await refusal('listOrgInvitations', { connection: earlier, org: 'acme' })).code).toBe('STALE_CONNECTION');
    const pending = before.find((i) => i.status === 'pending');
    if (pending) expect((await refusal('revokeOrgInvitation', { connection: earlier, org: 'acme', id: pending.id })).code).toBe('STALE_CONNECTION');
    expect(await invitations('all')).toEqual(before);
  });
});
