import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONSOLE_METHODS, SERVER_METHODS, channelOf, consoleParams } from '../../src-shared/console-api.ts';
import type { ConsoleApi, ConsoleMethod, ConsoleParams } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { Result } from '../../src-shared/console-errors.ts';
import type { ConsoleHandlers } from '../../src-main/contracts.ts';
import { createDispatcher } from '../../src-main/bridge/dispatch.ts';
import { buildConsoleApi } from '../../src-main/electron/expose.ts';
import { registerConsoleIpc } from '../../src-main/electron/ipc.ts';
import { isSafeExternalUrl, isTrustedFrame } from '../../src-main/electron/trust.ts';
import { createWebHost, type WebHost } from '../../src-main/web/web-host.ts';

// The renderer's bridge exists three times (IPC handlers in main, the preload's
// object, web mode's HTTP routes); each is checked against the contract's own
// keys, so a method added to `consoleParams` and forgotten anywhere fails here.
const CONTRACT = Object.keys(consoleParams).sort();

/** A connection id as ConnectionStatus carries it. */
const C = 'p1.0123456789abcdef';

/** One valid message per method; the mapped type makes a new method without a sample a compile error. */
const SAMPLE: { [M in ConsoleMethod]: ConsoleParams<M> } = {
  listProfiles: {},
  saveProfile: { name: 'Local', kind: 'bundled' },
  deleteProfile: { profileId: 'p1' },
  connect: { profileId: 'p1' },
  disconnect: {},
  connectionStatus: {},
  signIn: { profileId: 'p1', username: 'admin', password: 'hunter2-secret' },
  signOut: { profileId: 'p1' },
  inspectCertificate: { url: 'https://graphistry.example.com' },
  startBundledServer: {},
  stopBundledServer: {},
  bundledServerStatus: {},
  bundledServerLog: { lines: 10 },
  bundledServerBackups: {},
  backUpBundledServer: {},
  registrationState: { profileId: 'p1' },
  signUpFirstAdmin: { profileId: 'p1', username: 'admin', password: 'a long passphrase' },
  listUsers: { connection: C, search: 'al', page: 1, ordering: '-date_joined' },
  listUserIds: { connection: C, filter: { is_active: true, ordering: 'id' }, limit: 2000 },
  getUser: { connection: C, id: 1 },
  getUsers: { connection: C, ids: [1, 2] },
  createUser: { connection: C, username: 'bob', password: 'bob-password-1' },
  updateUser: { connection: C, id: 2, patch: { is_staff: true } },
  deleteUser: { connection: C, id: 2 },
  setUserPassword: { connection: C, id: 2, password: 'new-password-2' },
  setUsersActive: { connection: C, ids: [2, 3], active: false },
  userLifecycle: { connection: C, ids: [2], action: 'require_password_change' },
  exportUsers: { connection: C, filter: { never_signed_in: true }, format: 'json' },
  listKeys: { connection: C, user: 'me' },
  createKey: { connection: C, user: 2, name: 'laptop' },
  revokeKey: { connection: C, user: 'me', keyId: 'abc123' },
  mintJwt: { connection: C },
  getSettings: { connection: C },
  setSettings: { connection: C, changes: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } },
  listInvitations: { connection: C, status: 'pending' },
  createInvitation: { connection: C, expires_in_hours: 24 },
  revokeInvitation: { connection: C, id: 'inv1' },
  listAudit: { connection: C, page: 1 },
  exportAudit: { connection: C, action: 'user.sign_out' },
  listOrganizations: { connection: C, search: 'ac', ordering: '-member_count', page: 1, page_size: 50 },
  getOrganization: { connection: C, org: 'acme' },
  createOrganization: { connection: C, slug: 'acme', name: 'Acme Corp', join_policy: 'invite_only', admin_user_id: 2 },
  updateOrganization: { connection: C, org: 'acme', patch: { name: 'Acme' } },
  deleteOrganization: { connection: C, org: 'pk-17' },
  listOrgMembers: { connection: C, org: 'acme', search: 'an' },
  addOrgMember: { connection: C, org: 'acme', user_id: 2, role: 'member' },
  setOrgMemberRole: { connection: C, org: 'acme', user_id: 2, role: 'admin' },
  removeOrgMember: { connection: C, org: 'acme', user_id: 2 },
  createOrgUser: { connection: C, org: 'acme', user: { username: 'ana', password: 'ana-password-1' }, role: 'member' },
  listUserMemberships: { connection: C, id: 2 },
  listOrgInvitations: { connection: C, org: 'acme', status: 'all' },
  createOrgInvitation: { connection: C, org: 'acme', role: 'admin', expires_in_hours: 72, note: 'for Ben' },
  revokeOrgInvitation: { connection: C, org: 'acme', id: 'inv1' },
  listSsoProviders: { connection: C },
  addSsoProvider: {
    connection: C,
    org: 'acme',
    provider: {
      name: 'corp',
      template: 'keycloak',
      issuer: 'https://idp.example.com/realms/acme',
      client_id: 'console',
      client_secret: 's3cret-value',
      scopes: 'openid email',
      enabled: true,
      link_verified_email: false,
    },
  },
  updateSsoProvider: { connection: C, name: 'corp', patch: { enabled: false, client_secret: null } },
  removeSsoProvider: { connection: C, org: 'acme', name: 'corp' },
  testSsoProvider: { connection: C, name: 'corp' },
  startImport: { connection: C, file_name: 'people.csv', content: 'dXNlcm5hbWUKYW5hCg==', dry_run: true },
  importStatus: { connection: C, run: '0123456789abcdef01234567' },
  stopImport: { connection: C, run: '0123456789abcdef01234567' },
  importJournals: { connection: C },
  copyToClipboard: { text: 'hello' },
};

/** A handler table that answers with what it received, and records each call. */
function echoHandlers(calls: string[]): ConsoleHandlers {
  const entries = Object.keys(consoleParams).map((m) => [m, async (params: unknown) => (calls.push(m), { echo: m, params })]);
  return Object.fromEntries(entries) as unknown as ConsoleHandlers;
}

describe('dispatcher', () => {
  it('passes validated params to the method handler and answers ok', async () => {
    const calls: string[] = [];
    const dispatch = createDispatcher(echoHandlers(calls));
    for (const m of CONSOLE_METHODS) {
      const r = await dispatch(m, SAMPLE[m]);
      expect(r, m).toEqual({ ok: true, value: { echo: m, params: SAMPLE[m] } });
    }
    expect(calls.sort()).toEqual(CONTRACT);
  });

  it('refuses malformed messages with VALIDATION and field details, without calling the handler', async () => {
    const calls: string[] = [];
    const dispatch = createDispatcher(echoHandlers(calls));
    const fieldsOf = async (m: string, raw: unknown) => {
      const r = await dispatch(m, raw);
      expect(r.ok, `${m} ${JSON.stringify(raw)}`).toBe(false);
      if (r.ok) return [];
      expect(r.error.code).toBe('VALIDATION');
      return (r.error.fields ?? []).map((f) => f.field);
    };
    expect(await fieldsOf('getUser', { connection: C, id: 'abc' })).toEqual(['id']); // wrong type
    expect(await fieldsOf('getUser', { connection: C, id: 0 })).toEqual(['id']); // out of range
    // getUsers reads a page per user on a Graphistry: a screenful at most per call, none is no call.
    expect(await fieldsOf('getUsers', { connection: C, ids: Array.from({ length: 51 }, (_, i) => i + 1) })).toEqual(['ids']);
    expect(await fieldsOf('getUsers', { connection: C, ids: [] })).toEqual(['ids']);
    // A call that acts on a server without naming the connection it was prepared for is refused before anything else.
    for (const m of SERVER_METHODS) {
      const { connection: _c, ...rest } = SAMPLE[m] as { connection: string };
      expect(await fieldsOf(m, rest), m).toEqual(['connection']);
      expect(await fieldsOf(m, { ...rest, connection: 'p1' }), m).toEqual(['connection']);
    }
    expect(await fieldsOf('listProfiles', { extra: 1 })).toEqual(['extra']); // unknown field
    expect(await fieldsOf('updateUser', { connection: C, id: 2, patch: { is_god: true } })).toEqual(['patch.is_god']);
    expect((await fieldsOf('signIn', { profileId: 'p1' })).sort()).toEqual(['password', 'username']); // missing fields
    expect(await fieldsOf('listUsers', { connection: C, ordering: 'password' })).toEqual(['ordering']);
    // Organizations: named by a slug or an admin key, never a path; a role is admin or member; a new id follows the slug rule.
    for (const org of ['', '../acme', 'a/b', 'acme?x=1', 'a'.repeat(151), 'ac me'])
      expect(await fieldsOf('getOrganization', { connection: C, org }), org).toEqual(['org']);
    expect(await fieldsOf('setOrgMemberRole', { connection: C, org: 'acme', user_id: 2, role: 'owner' })).toEqual(['role']);
    expect(await fieldsOf('addOrgMember', { connection: C, org: 'acme', user_id: 0, role: 'member' })).toEqual(['user_id']);
    expect(await fieldsOf('createOrganization', { connection: C, slug: '-acme' })).toEqual(['slug']);
    expect(await fieldsOf('createOrganization', { connection: C, slug: 'join' })).toEqual(['slug']);
    expect(await fieldsOf('updateOrganization', { connection: C, org: 'acme', patch: { slug: 'other' } })).toEqual(['patch.slug']);
    expect(await fieldsOf('listOrganizations', { connection: C, ordering: 'password' })).toEqual(['ordering']);
    expect(
      await fieldsOf('createOrgUser', { connection: C, org: 'acme', user: { username: 'has space', password: 'ana-password-1' }, role: 'member' }),
    ).toEqual(['user.username']);
    // Organization invitations: a role the server knows, at most 30 days, a note without control characters, an id that is one.
    expect(await fieldsOf('createOrgInvitation', { connection: C, org: 'acme', role: 'owner' })).toEqual(['role']);
    expect(await fieldsOf('createOrgInvitation', { connection: C, org: 'acme', expires_in_hours: 721 })).toEqual(['expires_in_hours']);
    expect(await fieldsOf('createOrgInvitation', { connection: C, org: 'acme', note: 'a\u0007b' })).toEqual(['note']);
    expect(await fieldsOf('createOrgInvitation', { connection: C, org: 'acme', grant_staff: true })).toEqual(['grant_staff']);
    expect(await fieldsOf('revokeOrgInvitation', { connection: C, org: 'acme', id: '../x' })).toEqual(['id']);
    expect(await fieldsOf('listOrgInvitations', { connection: C, org: 'a/b' })).toEqual(['org']);
    // Single sign-on: the shapes are sso-schemas.ts's (the server's own); an IdP's name goes into a URL, so it is URL-safe.
    const idp = { name: 'corp', issuer: 'https://idp.example.com/realms/acme', client_id: 'console' };
    for (const name of ['', '../corp', 'a/b', 'co rp', '-corp', 'a'.repeat(65)])
      expect([...new Set(await fieldsOf('removeSsoProvider', { connection: C, name }))], name).toEqual(['name']);
    expect(await fieldsOf('listSsoProviders', { connection: C, org: '../acme' })).toEqual(['org']);
    expect(await fieldsOf('addSsoProvider', { connection: C, provider: { ...idp, template: 'google' } })).toEqual(['provider.template']);
    for (const issuer of ['http://idp.example.com', 'https://idp.example.com/?x=1', 'https://u:p@idp.example.com', 'not a url'])
      expect(await fieldsOf('addSsoProvider', { connection: C, provider: { ...idp, issuer } }), issuer).toEqual(['provider.issuer']);
    expect(await fieldsOf('addSsoProvider', { connection: C, provider: { ...idp, scopes: 'email profile' } })).toEqual(['provider.scopes']);
    expect(await fieldsOf('addSsoProvider', { connection: C, provider: { ...idp, client_secret: 'a\nb' } })).toEqual(['provider.client_secret']);
    expect(await fieldsOf('addSsoProvider', { connection: C, provider: { ...idp, has_client_secret: true } })).toEqual(['provider.has_client_secret']);
    expect(await fieldsOf('updateSsoProvider', { connection: C, name: 'corp', patch: { name: 'other' } })).toEqual(['patch.name']);
    for (const raw of [undefined, null, [], 'x', 42]) expect(await fieldsOf('connectionStatus', raw)).toEqual(['']);
    for (const m of ['nope', '__proto__', 'toString', 'constructor', 'hasOwnProperty', '']) {
      const r = await dispatch(m, {});
      expect(r.ok ? null : r.error.code, m).toBe('VALIDATION');
      expect(r.ok ? '' : r.error.message).toMatch(/^Unknown method/);
    }
    expect(calls).toEqual([]);
  });

  it('passes a ConsoleFailure through and hides any other error behind INTERNAL, logging it without the params', async () => {
    const lines: string[] = [];
    const handlers = echoHandlers([]);
    handlers.getUser = async () => {
      throw new ConsoleFailure({ code: 'NOT_FOUND', message: 'There is no user 1.', serverCode: 'USER_NOT_FOUND' });
    };
    handlers.signIn = async () => {
      throw new Error('database exploded at row 7');
    };
    const dispatch = createDispatcher(handlers, { log: (l) => lines.push(l) });
    expect(await dispatch('getUser', { connection: C, id: 1 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'There is no user 1.', serverCode: 'USER_NOT_FOUND' },
    });
    const r = await dispatch('signIn', SAMPLE.signIn);
    expect(r.ok ? null : r.error.code).toBe('INTERNAL');
    expect(JSON.stringify(r)).not.toContain('exploded');
    expect(lines.join('\n')).toContain('database exploded at row 7');
    expect(lines.join('\n')).not.toContain('hunter2-secret');
  });
});

describe('main registers one IPC handler per method', () => {
  type Event = { trusted: boolean };
  const listeners = new Map<string, (event: Event, ...args: unknown[]) => unknown>();
  const calls: string[] = [];
  const channels = registerConsoleIpc<Event>({ handle: (c, l) => void listeners.set(c, l) }, createDispatcher(echoHandlers(calls)), (e) => e.trusted);

  it('registers exactly the contract, on channelOf(method)', () => {
    expect([...listeners.keys()].sort()).toEqual(CONTRACT.map((m) => channelOf(m as ConsoleMethod)).sort());
    expect(channels.sort()).toEqual([...listeners.keys()].sort());
  });

  it('dispatches each trusted message to its own method', async () => {
    for (const m of CONSOLE_METHODS) {
      expect(await listeners.get(channelOf(m))!({ trusted: true }, SAMPLE[m]), m).toEqual({ ok: true, value: { echo: m, params: SAMPLE[m] } });
    }
  });

  it('refuses a foreign sender before validating, and a message that is not exactly one params object', async () => {
    calls.length = 0;
    const getUser = listeners.get(channelOf('getUser'))!;
    const foreign = (await getUser({ trusted: false }, { id: 1 })) as Result<unknown>;
    expect(foreign.ok ? null : foreign.error.code).toBe('FORBIDDEN');
    for (const args of [[], [{ id: 1 }, 'extra']]) {
      const r = (await getUser({ trusted: true }, ...args)) as Result<unknown>;
      expect(r.ok ? null : r.error.code, JSON.stringify(args)).toBe('VALIDATION');
    }
    expect(calls).toEqual([]);
  });

  it("trusts only the console window's main frame while it shows app://console", () => {
    const main = { url: 'app://console/index.html', processId: 4, routingId: 1 };
    expect(isTrustedFrame({ ...main }, main)).toBe(true);
    expect(isTrustedFrame({ ...main, routingId: 2 }, main)).toBe(false); // an iframe in the same process
    expect(isTrustedFrame({ ...main, processId: 5 }, main)).toBe(false);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'about:blank']) {
      expect(isTrustedFrame({ ...main, url }, { ...main, url }), url).toBe(false);
    }
    expect(isTrustedFrame(null, main)).toBe(false);
    expect(isSafeExternalUrl('https://hub.graphistry.com/docs')).toBe(true);
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'https://user:pw@example.com/', 'not a url']) {
      expect(isSafeExternalUrl(url), url).toBe(false);
    }
  });

  it('main.ts wires the real ipcMain through registerConsoleIpc with a sender-frame check', () => {
    const main = readFileSync(new URL('../../src-main/electron/main.ts', import.meta.url), 'utf8');
    expect(main).toMatch(/registerConsoleIpc\(ipcMain,\s*dispatch,/);
    expect(main).toMatch(/isTrustedFrame\(event\.senderFrame, win\.webContents\.mainFrame\)/);
    expect(main).not.toMatch(/ipcMain\.(handle|on)\(/); // no channel outside the contract
  });
});

describe('preload exposes exactly the contract', () => {
  it('buildConsoleApi has one function per method, each invoking its channel with one params object', async () => {
    const sent: Array<[string, unknown]> = [];
    const api = buildConsoleApi(async (channel, params) => (sent.push([channel, params]), { ok: true, value: channel }));
    expect(Object.keys(api).sort()).toEqual(CONTRACT);
    expect(Object.isFrozen(api)).toBe(true);
    for (const m of CONSOLE_METHODS) {
      const call = api[m] as (p: unknown, ...rest: unknown[]) => Promise<unknown>;
      expect(await call(SAMPLE[m], 'smuggled')).toEqual({ ok: true, value: channelOf(m) });
    }
    expect(sent).toEqual(CONSOLE_METHODS.map((m) => [channelOf(m), SAMPLE[m]]));
  });

  it('preload.ts exposes `consoleApi` built by buildConsoleApi and never ipcRenderer itself', async () => {
    // The Electron binary is absent here: stand in for its renderer-side API to see what the preload exposes.
    const exposed = new Map<string, unknown>();
    const invoked: Array<[string, unknown]> = [];
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: { invoke: async (channel: string, params: unknown) => (invoked.push([channel, params]), { ok: true, value: null }) },
    }));
    await import('../../src-main/electron/preload.ts');
    vi.doUnmock('electron');
    expect([...exposed.keys()]).toEqual(['consoleApi']);
    const api = exposed.get('consoleApi') as ConsoleApi;
    expect(Object.keys(api).sort()).toEqual(CONTRACT);
    expect(Object.values(api).every((f) => typeof f === 'function')).toBe(true);
    await api.getUser({ connection: C, id: 7 });
    expect(invoked).toEqual([[channelOf('getUser'), { connection: C, id: 7 }]]);
  });
});

describe('web mode serves every method', () => {
  let host: WebHost;
  const calls: string[] = [];
  beforeAll(async () => {
    host = await createWebHost({ dispatch: createDispatcher(echoHandlers(calls)), rendererDir: '/nonexistent-renderer' });
  });
  afterAll(() => host.close());

  const post = (method: string, body: string) =>
    new Promise<{ status: number; result: Result<unknown> }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: 'POST',
          path: `/bridge/${method}`,
          headers: { 'content-type': 'application/json', 'x-console-token': host.token },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, result: JSON.parse(text) as Result<unknown> }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('answers each method at POST /bridge/<method> with its Result', async () => {
    for (const m of CONTRACT) {
      const { status, result } = await post(m, JSON.stringify(SAMPLE[m as ConsoleMethod]));
      expect(status, m).toBe(200);
      expect(result, m).toEqual({ ok: true, value: { echo: m, params: SAMPLE[m as ConsoleMethod] } });
    }
    expect(calls.sort()).toEqual(CONTRACT);
  });

  it('answers malformed messages with VALIDATION', async () => {
    calls.length = 0;
    const cases: Array<[string, string, number]> = [
      ['getUser', `{"connection":"${C}","id":"abc"}`, 200], // wrong type
      ['listProfiles', '{"extra":1}', 200], // unknown field
      ['signIn', '{"profileId":"p1"}', 200], // missing fields
      ['getUser', '{"id":1', 400], // not JSON
      ['getUser', '', 400], // no body
      ['notAMethod', '{}', 404], // unknown method
      ['__proto__', '{}', 404],
    ];
    for (const [m, body, status] of cases) {
      const r = await post(m, body);
      expect(r.status, `${m} ${body}`).toBe(status);
      expect(r.result.ok ? null : r.result.error.code, `${m} ${body}`).toBe('VALIDATION');
    }
    expect(calls).toEqual([]);
  });
});
