// The console against a remote Graphistry (the Django reference peer, its admin
// site moved to /portal/admin/ as Graphistry's DJANGO_ADMIN_URL allows): sign-in
// through the console service with the real keychain, every specific failure,
// a session that expires mid-way, and a restart that signs in from the keychain.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import type { ConsoleHandlers } from '../../src-main/contracts.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { createKeychainVault } from '../../src-main/vault/keychain-vault.ts';
import { failure } from '../helpers/failure.ts';
import { tempDir } from '../helpers/app.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));

const service = `graphistry-admin-console-test-${process.pid}-graphistry`;
const keychain = await createKeychainVault({ service }).status();
const missing = (await djangoMissing()) ?? (keychain.available ? null : `no OS keychain (${keychain.detail})`);
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console's remote Graphistry tests.\n\n`);

(missing ? describe.skip : describe)('console with a remote Graphistry (Django reference peer, real keychain)', () => {
  let peer: DjangoPeer;
  let notGraphistry: Server;
  let closedPort: number;
  const appData = tempDir('gadm-console-graphistry-');
  const launch = (): ConsoleHandlers =>
    createConsoleService({
      profiles: createProfilesStore(appData),
      vault: createKeychainVault({ service }),
      bundled: createBundledServer({ dataDir: join(appData, 'server') }),
      backends: createBackendFactory({ timeoutMs: 5_000 }),
      clipboard: null,
      machine: 'test-machine',
    });
  let consoleA: ConsoleHandlers;
  const remote = async (c: ConsoleHandlers, name: string, url: string, extra: { admin_path?: string } = {}) =>
    (await c.saveProfile({ name, kind: 'remote', url, ...extra })).id;

  beforeAll(async () => {
    peer = await startDjangoPeer({ adminPath: 'portal/admin/' });
    await peer.shell(
      'from users.models import User\n' +
        "User.objects.create_user('viewer', password='viewer has a passphrase')\n" +
        "User.objects.create_user('helper', password='helper has a passphrase', is_staff=True)",
    );
    notGraphistry = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>Not Found</h1></body></html>'));
    await new Promise<void>((r) => notGraphistry.listen(0, '127.0.0.1', r));
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    consoleA = launch();
  }, 90_000);

  afterAll(async () => {
    await peer?.stop();
    notGraphistry?.close();
    const vault = createKeychainVault({ service });
    for (const p of await createProfilesStore(appData).list()) await vault.delete(p.id).catch(() => undefined);
    rmSync(appData, { recursive: true, force: true });
  });

  it("refuses a wrong password and an account that is not staff in the admin site's own words, each sign-in sending the password once; one that is staff but not a superuser is refused too", async () => {
    const id = await remote(consoleA, 'peer', peer.url, { admin_path: '/portal/admin/' });
    // Django's login form says one sentence for both (so a site counting failed sign-ins, django-axes, counts one each): it is quoted.
    const django = '“Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.”';
    const posts = () => (peer.log().match(/"POST \/(portal\/admin\/login\/|api-token-auth\/|api\/v2\/auth\/token\/generate)/g) ?? []).length;
    const before = posts();
    expect(await failure(consoleA.signIn({ profileId: id, username: 'admin', password: 'not the password' }))).toMatchObject({
      code: 'UNAUTHORIZED',
      serverCode: 'INVALID_CREDENTIALS',
      message: expect.stringContaining(django),
    });
    expect(await failure(consoleA.signIn({ profileId: id, username: 'viewer', password: 'viewer has a passphrase' }))).toMatchObject({
      code: 'UNAUTHORIZED',
      serverCode: 'INVALID_CREDENTIALS',
      message: expect.stringContaining('or the account is not staff'),
    });
    expect(posts() - before).toBe(2);
    expect(await failure(consoleA.signIn({ profileId: id, username: 'helper', password: 'helper has a passphrase' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await consoleA.listProfiles({})).find((p) => p.id === id)?.has_credential).toBe(false);
  });

  it('says when the admin path is wrong, when the address is not a Graphistry, and when nothing listens', async () => {
    const wrongPath = await remote(consoleA, 'peer, default path', peer.url);
    expect(await failure(consoleA.signIn({ profileId: wrongPath, username: 'admin', password: PEER_ADMIN.password }))).toMatchObject({
      code: 'NOT_FOUND',
      serverCode: 'WRONG_ADMIN_PATH',
      fields: [{ field: 'admin_path' }],
      message: expect.stringContaining('its admin site is not at /admin/'),
    });
    const other = await remote(consoleA, 'some web server', `http://127.0.0.1:${(notGraphistry.address() as AddressInfo).port}`);
    expect(await failure(consoleA.signIn({ profileId: other, username: 'admin', password: PEER_ADMIN.password }))).toMatchObject({
      code: 'UNREACHABLE',
      serverCode: 'NOT_GRAPHISTRY',
      message: expect.stringContaining('is neither a Graphistry'),
    });
    const nothing = await remote(consoleA, 'nothing', `http://127.0.0.1:${closedPort}`);
    expect(await failure(consoleA.signIn({ profileId: nothing, username: 'admin', password: PEER_ADMIN.password }))).toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining(`Nothing is listening at 127.0.0.1:${closedPort}`),
    });
  });

  it('signs in, keeps the password in the keychain only, and declares what a Graphistry does not offer', async () => {
    const id = (await consoleA.listProfiles({})).find((p) => p.name === 'peer')!.id;
    const status = await consoleA.signIn({ profileId: id, username: 'admin', password: PEER_ADMIN.password });
    expect(status).toMatchObject({ connected: true, backend: 'remote-graphistry', healthy: true, user: { username: 'admin', is_superuser: true } });
    expect(status.profile).toMatchObject({ has_credential: true, admin_path: '/portal/admin/' });
    expect(status.capabilities?.unsupported.user_keys).toMatch(/dashboard/);
    expect(status.capabilities?.bulk_note).toMatch(/one user at a time/);
    expect(await createKeychainVault({ service }).get(id)).toEqual({ kind: 'password', username: 'admin', password: PEER_ADMIN.password });
    for (const file of filesUnder(appData)) expect(readFileSync(file, 'latin1').includes(PEER_ADMIN.password), file).toBe(false);
    expect((await consoleA.listUsers({ connection: status.connection!, search: 'view', ordering: 'username' })).results.map((u) => u.username)).toEqual([
      'viewer',
    ]);
  });

  it('signs in again by itself when the admin site ends the session mid-way', async () => {
    const before = (peer.log().match(/"POST \/portal\/admin\/login\//g) ?? []).length;
    await peer.shell('from django.contrib.sessions.models import Session\nSession.objects.all().delete()');
    const { connection } = await consoleA.connectionStatus({});
    const page = await consoleA.listUsers({ connection: connection!, ordering: 'username' });
    expect(page.results.map((u) => u.username)).toEqual(['admin', 'helper', 'viewer']);
    expect((peer.log().match(/"POST \/portal\/admin\/login\//g) ?? []).length).toBe(before + 1);
  });

  it('an admin who changes their own password: the keychain keeps the new one, so the next sign-in still works', async () => {
    const id = (await consoleA.listProfiles({})).find((p) => p.name === 'peer')!.id;
    const { user: me, connection } = await consoleA.connectionStatus({});
    await consoleA.setUserPassword({ connection: connection!, id: me!.id, password: 'the admin has a new passphrase' });
    expect(await createKeychainVault({ service }).get(id)).toMatchObject({ kind: 'password', password: 'the admin has a new passphrase' });
    await peer.shell('from django.contrib.sessions.models import Session\nSession.objects.all().delete()');
    expect((await consoleA.listUsers({ connection: connection!, search: 'admin', ordering: 'username' })).results[0]?.username).toBe('admin');
  });

  it('after a restart, connects from the keychain alone; without the keychain entry an ended session asks for a sign-in', async () => {
    const consoleB = launch();
    const id = (await consoleB.listProfiles({})).find((p) => p.name === 'peer')!.id;
    const connected = await consoleB.connect({ profileId: id });
    expect(connected.user?.username).toBe('admin');
    const connection = connected.connection!;
    const viewer = (await consoleB.listUsers({ connection, search: 'viewer', ordering: 'username' })).results[0]!;
    expect((await consoleB.updateUser({ connection, id: viewer.id, patch: { is_staff: true } })).is_staff).toBe(true);

    await createKeychainVault({ service }).delete(id);
    await peer.shell('from django.contrib.sessions.models import Session\nSession.objects.all().delete()');
    expect(await failure(consoleB.listUsers({ connection }))).toMatchObject({ code: 'UNAUTHORIZED', serverCode: 'SESSION_EXPIRED' });
    await consoleB.disconnect({});
  });
});
