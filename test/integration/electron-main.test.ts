// The Electron glue (src-main/electron/) as built: out/main/index.js runs in a
// plain Node child whose `electron` is a stand-in that records every call and
// lets this test play Electron's part (a page's IPC message, an app:// request,
// a window.open, a navigation, a permission prompt, a second launch, quit).
// Everything behind the glue is real: the console service, the profiles file,
// the bundled server as a child process.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_METHODS, SERVER_METHODS, channelOf } from '../../src-shared/console-api.ts';
import type { ConsoleMethod, ConsoleParams, ConsoleResults } from '../../src-shared/console-api.ts';
import type { Result } from '../../src-shared/console-errors.ts';
import { RENDERER_HEADERS } from '../../src-main/bridge/csp.ts';
import { serveProcessesFor } from '../helpers/console-web.ts';
import { bundleStandIn, ensureElectronBuilt, launchMain, PRELOAD_BUNDLE, RENDERER_INDEX } from '../helpers/electron-stand-in/launch.ts';
import type { MainUnderTest, StopResult } from '../helpers/electron-stand-in/launch.ts';
import type { Json, SenderSpec } from '../helpers/electron-stand-in/messages.ts';

const INDEX_URL = 'app://console/index.html';
const TRUSTED: SenderSpec = { contents: 'window', frame: 'main', url: INDEX_URL };
/** Senders main must refuse: another window, an iframe, the window after navigating away, a frame already gone. */
const FOREIGN: Record<string, SenderSpec> = {
  'another webContents showing the console': { contents: 'stranger', frame: 'main', url: INDEX_URL },
  'a subframe of the window': { contents: 'window', frame: 'subframe', url: INDEX_URL },
  'the window on another site': { contents: 'window', frame: 'main', url: 'https://evil.example/index.html' },
  'the window on another app:// host': { contents: 'window', frame: 'main', url: 'app://evil/index.html' },
  'the window on a file': { contents: 'window', frame: 'main', url: 'file:///tmp/index.html' },
  'a frame that is gone': { contents: 'window', frame: 'none', url: INDEX_URL },
};

/** The methods whose parameters name a connection (`{}`'s index signature would match any key, hence the first test). */
type ServerMethod = {
  [M in ConsoleMethod]: string extends keyof ConsoleParams<M> ? never : 'connection' extends keyof ConsoleParams<M> ? M : never;
}[ConsoleMethod];
/**
 * One call per method that acts on a server, as a screen would have prepared
 * it against user `id` (the connection is added at the call). The mapped type
 * makes a new such method without an entry a compile error; the test checks
 * the list against SERVER_METHODS too.
 */
const asPrepared = (id: number): { [M in ServerMethod]: Omit<ConsoleParams<M>, 'connection'> } => ({
  listUsers: {},
  listUserIds: { filter: {} },
  getUser: { id },
  getUsers: { ids: [id] },
  createUser: { username: 'carol', password: 'carol password 12345' },
  updateUser: { id, patch: { is_staff: true } },
  deleteUser: { id },
  setUserPassword: { id, password: 'another password 12345' },
  setUsersActive: { ids: [id], active: false },
  userLifecycle: { ids: [id], action: 'sign_out' },
  exportUsers: { filter: {}, format: 'csv' },
  listKeys: { user: id },
  createKey: { user: id, name: 'laptop' },
  revokeKey: { user: 'me', keyId: 'abc123' },
  mintJwt: {},
  getSettings: {},
  setSettings: { changes: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } },
  listInvitations: {},
  createInvitation: { expires_in_hours: 24 },
  revokeInvitation: { id: 'inv1' },
  listAudit: {},
  exportAudit: {},
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
  listOrgInvitations: { org: 'acme' },
  createOrgInvitation: { org: 'acme', role: 'admin' },
  revokeOrgInvitation: { org: 'acme', id: 'inv1' },
  listSsoProviders: { org: 'acme' },
  addSsoProvider: { provider: { name: 'corp', issuer: 'https://idp.example.com/realms/acme', client_id: 'console', client_secret: 'stale secret' } },
  updateSsoProvider: { name: 'corp', patch: { enabled: false } },
  removeSsoProvider: { name: 'corp' },
  testSsoProvider: { org: 'acme', name: 'corp' },
  startImport: { file_name: 'people.csv', content: 'dXNlcm5hbWUKYW5hCg==', dry_run: true },
  importStatus: { run: '0123456789abcdef01234567' },
  stopImport: { run: '0123456789abcdef01234567' },
  importJournals: {},
});

let standInDir: string;
let harness: string;
let main: MainUnderTest;

/** A bridge call as the preload makes it: one parameters object on the method's channel. */
async function call<M extends ConsoleMethod>(method: M, params: ConsoleParams<M>, sender: SenderSpec = TRUSTED): Promise<Result<ConsoleResults[M]>> {
  const answer = await main.request('invoke', { channel: channelOf(method), sender, args: [params as Json] });
  return answer as unknown as Result<ConsoleResults[M]>;
}

async function value<M extends ConsoleMethod>(method: M, params: ConsoleParams<M>): Promise<ConsoleResults[M]> {
  const r = await call(method, params);
  if (!r.ok) throw new Error(`${method} answered ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const openedExternally = () => main.calls('shell.openExternal').map((r) => r.args[0]);

beforeAll(async () => {
  process.stdout.write(`electron main: ${ensureElectronBuilt()}\n`);
  standInDir = mkdtempSync(join(tmpdir(), 'gadm-electron-stand-in-'));
  harness = await bundleStandIn(standInDir);
  main = await launchMain(harness);
  await main.waitFor((r) => r.call === 'BrowserWindow.loadURL', 'window loading its page');
});

afterAll(async () => {
  // Normally the last test has quit it already; this is the net for a failure before that.
  await main?.stop();
  if (standInDir) rmSync(standInDir, { recursive: true, force: true });
});

describe('the built main bundle under a stand-in electron', () => {
  it('registers app:// as a privileged scheme before ready and serves it after', () => {
    const registered = main.calls('protocol.registerSchemesAsPrivileged');
    expect(registered).toHaveLength(1);
    expect(registered[0]!.ready).toBe(false);
    const schemes = registered[0]!.args[0] as Array<{ scheme: string; privileges: Record<string, boolean> }>;
    const app = schemes.find((s) => s.scheme === 'app');
    expect(app?.privileges).toMatchObject({ standard: true, secure: true });
    expect(main.calls('protocol.handle').map((r) => r.args[0])).toEqual(['app']);
  });

  it('keeps its data in appData/Graphistry Admin, set before ready', () => {
    const set = main.calls('app.setPath');
    expect(set.map((r) => r.args)).toEqual([['userData', join(main.appData, 'Graphistry Admin')]]);
    expect(set[0]!.ready).toBe(false);
    expect(main.calls('app.requestSingleInstanceLock')).toHaveLength(1);
  });

  it('opens exactly one window: sandboxed, isolated, no Node, loading app://console/index.html, shown once painted', async () => {
    const windows = main.calls('new BrowserWindow');
    expect(windows).toHaveLength(1);
    const options = windows[0]!.args[0] as { show?: boolean; webPreferences?: Record<string, Json> };
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      preload: PRELOAD_BUNDLE,
    });
    expect(existsSync(String(options.webPreferences?.preload))).toBe(true);
    expect(main.calls('BrowserWindow.loadURL').map((r) => r.args[0])).toEqual([INDEX_URL]);
    // show: false until the page has painted, then shown: no white flash, but never left hidden.
    expect(options.show).toBe(false);
    await main.waitFor((r) => r.call === 'BrowserWindow.show', 'the window being shown');
  });

  it('a second launch or a dock click focuses the same window instead of opening another', async () => {
    const focusedBefore = main.calls('BrowserWindow.focus').length;
    expect((await main.request('appEvent', { event: 'second-instance' })).listeners).toBeGreaterThan(0);
    expect((await main.request('appEvent', { event: 'activate' })).listeners).toBeGreaterThan(0);
    expect(main.calls('new BrowserWindow')).toHaveLength(1);
    expect(main.calls('BrowserWindow.focus').length).toBe(focusedBefore + 2);
  });

  it('serves the built renderer over app:// with the renderer CSP, and nothing outside it', async () => {
    const get = (url: string, method = 'GET') => main.request('protocol', { scheme: 'app', url, method });
    const index = await get(INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['content-security-policy']).toBe(RENDERER_HEADERS['content-security-policy']);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.body).toBe(readFileSync(RENDERER_INDEX, 'utf8'));
    // The page's own script, as the page asks for it.
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeTruthy();
    const js = await get(`app://console/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);

    for (const url of [
      'app://console/../../etc/passwd',
      'app://console/..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://console/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
      `app://console/${encodeURIComponent(join(process.cwd(), 'package.json'))}`,
      'app://console/../package.json',
    ]) {
      const r = await get(url);
      expect(r.status, url).not.toBe(200);
      expect(r.body, url).not.toMatch(/root:|"name"/);
    }
    const otherHost = await get('app://evil/index.html');
    expect(otherHost.status).toBe(404);
    expect((await get(INDEX_URL, 'POST')).status).toBe(405);
  });

  it('denies every permission a page asks for or Chromium checks', async () => {
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation'] as const) {
      expect(await main.request('permission', { kind: 'request', permission }), permission).toEqual({ granted: false });
      expect(await main.request('permission', { kind: 'check', permission }), permission).toEqual({ granted: false });
    }
  });

  it('denies new windows and prevents navigation; only plain web links go to the OS browser', async () => {
    expect(await main.request('windowOpen', { url: 'https://graphistry.example.com/docs' })).toEqual({ action: 'deny' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', INDEX_URL]) {
      expect(await main.request('windowOpen', { url }), url).toEqual({ action: 'deny' });
    }
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://evil/']) {
      expect(await main.request('contentsEvent', { event: 'will-navigate', url }), url).toEqual({ prevented: true, listeners: 1 });
    }
    expect(await main.request('contentsEvent', { event: 'will-redirect', url: 'https://example.com/' })).toMatchObject({ prevented: true });
    expect(await main.request('contentsEvent', { event: 'will-attach-webview', url: 'https://example.com/' })).toMatchObject({ prevented: true });
    expect(openedExternally()).toEqual(['https://graphistry.example.com/docs', 'https://example.com/']);
  });

  it('registers one IPC handler per bridge method, and nothing else', () => {
    const channels = main.calls('ipcMain.handle').map((r) => r.args[0]);
    const expected = CONSOLE_METHODS.map(channelOf);
    expect(channels.length).toBe(expected.length);
    expect([...channels].sort()).toEqual([...expected].sort());
    process.stdout.write(`electron main: ${channels.length} IPC channels, one per bridge method\n`);
  });

  it('refuses every channel from a sender that is not the window showing the console', async () => {
    for (const method of CONSOLE_METHODS) {
      const r = await main.request('invoke', { channel: channelOf(method), sender: FOREIGN['another webContents showing the console']!, args: [{}] });
      expect(r, method).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    for (const [who, sender] of Object.entries(FOREIGN)) {
      expect(await call('listProfiles', {}, sender), who).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('answers the window main frame: listProfiles is empty on a fresh data folder; one parameters object only', async () => {
    expect(await call('listProfiles', {})).toEqual({ ok: true, value: [] });
    for (const args of [[], [{}, {}]]) {
      const r = await main.request('invoke', { channel: channelOf('listProfiles'), sender: TRUSTED, args });
      expect(r, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });

  it('copies to the OS clipboard through main', async () => {
    expect(await value('copyToClipboard', { text: 'gk_example', sensitive: true })).toMatchObject({ copied: true, delegated: false });
    expect(main.calls('clipboard.writeText').map((r) => r.args[0])).toContain('gk_example');
  });

  it('refuses a call prepared for an earlier connection (STALE_CONNECTION) and changes nothing', async () => {
    const server = await value('startBundledServer', {});
    expect(server.state).toBe('running');
    const profile = await value('saveProfile', { name: 'Bundled', kind: 'bundled' });
    // The console's data folder is the one main set as userData.
    expect(existsSync(join(main.appData, 'Graphistry Admin', 'profiles.json'))).toBe(true);
    const password = 'correct horse battery staple';
    const first = await value('signUpFirstAdmin', { profileId: profile.id, username: 'admin', password });
    const a1 = first.connection;
    expect(a1).toMatch(new RegExp(`^${profile.id}\\.[0-9a-f]{16}$`));
    const { user: bob } = await value('createUser', { connection: a1!, username: 'bob', password: 'bob password 12345' });
    expect(bob.is_active).toBe(true);
    const bobKeys = (await value('listKeys', { connection: a1!, user: bob.id })).length;

    // A made-up connection of a profile that does not exist: refused before anything is sent.
    const madeUp = await call('setUsersActive', { connection: 'gone-profile.0123456789abcdef', ids: [bob.id], active: false });
    expect(madeUp).toMatchObject({ ok: false, error: { code: 'STALE_CONNECTION' } });

    // Connect again: a new sign-in (from the keychain where there is one, else with the password).
    await value('disconnect', {});
    const reconnected = await call('connect', { profileId: profile.id });
    // Without a keychain (as here: the child has no D-Bus session) nothing was kept, so connect asks for the password.
    if (!reconnected.ok) expect(reconnected.error.code).toBe('UNAUTHORIZED');
    const again =
      reconnected.ok && reconnected.value.connected ? reconnected.value : await value('signIn', { profileId: profile.id, username: 'admin', password });
    const a2 = again.connection;
    expect(a2).toMatch(new RegExp(`^${profile.id}\\.[0-9a-f]{16}$`));
    expect(a2).not.toBe(a1);
    expect((await value('connectionStatus', {})).connection).toBe(a2);

    const stale = await call('setUsersActive', { connection: a1!, ids: [bob.id], active: false });
    expect(stale).toMatchObject({ ok: false, error: { code: 'STALE_CONNECTION' } });
    if (!stale.ok) expect(stale.error.message).toMatch(/Bundled.*Nothing was changed\.$/);
    // Every other method that acts on the server, prepared for A1, is refused the same way.
    const prepared = asPrepared(bob.id);
    expect(Object.keys(prepared).sort()).toEqual([...SERVER_METHODS].sort());
    for (const [method, params] of Object.entries(prepared)) {
      const r = await main.request('invoke', { channel: channelOf(method as ServerMethod), sender: TRUSTED, args: [{ ...params, connection: a1 } as Json] });
      expect(r, method).toMatchObject({ ok: false, error: { code: 'STALE_CONNECTION' } });
    }

    // A2 works, and nothing prepared for A1 reached the server: no carol, bob as he was, with no key made for him.
    const page = await value('listUsers', { connection: a2! });
    expect(page.results.map((u) => u.username).sort()).toEqual(['admin', 'bob']);
    const bobNow = await value('getUser', { connection: a2!, id: bob.id });
    expect(bobNow).toMatchObject({ username: 'bob', is_active: true, is_staff: false });
    expect((await value('listKeys', { connection: a2!, user: bob.id })).length).toBe(bobKeys);
  });

  it('quits through before-quit: the bundled server is stopped first, then the process ends cleanly', async () => {
    const serverDir = join(main.appData, 'Graphistry Admin', 'server');
    const running = serveProcessesFor(serverDir);
    expect(running.length).toBe(1);
    const stopped: StopResult = await main.stop();
    expect(stopped).toEqual({ code: 0, signal: null, killed: false, outlived: [] });
    const quits = main.records.filter((r) => r.call.startsWith('app.quit')).map((r) => r.call);
    // The first quit is held back while the server stops; main then quits again.
    expect(quits).toEqual(['app.quit', 'app.quit prevented by before-quit', 'app.quit']);
    expect(main.output()).not.toMatch(/console service failed|failed unexpectedly|failed to start/);
  });
});

describe('a second copy of the console', () => {
  it('quits at once when another instance holds the single-instance lock: no window, no handlers, no service', async () => {
    const second = await launchMain(harness, { lock: 'taken' });
    const result = await second.stop();
    expect(result).toMatchObject({ code: 0, killed: false });
    expect(second.calls('app.quit')).toHaveLength(1);
    expect(second.calls('new BrowserWindow')).toHaveLength(0);
    expect(second.calls('ipcMain.handle')).toHaveLength(0);
    expect(second.calls('protocol.handle')).toHaveLength(0);
  });
});
