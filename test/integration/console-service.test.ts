import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, STRONG_PASSWORD } from '../helpers/app.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createKeychainVault } from '../../src-main/vault/keychain-vault.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import type { ConsoleHandlers } from '../../src-main/contracts.ts';

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const keychain = await createKeychainVault({ service: `graphistry-admin-console-test-${process.pid}` }).status();
if (!keychain.available) process.stderr.write(`\n!!! No OS keychain (${keychain.detail}): SKIPPING the console sign-in tests.\n\n`);

(keychain.available ? describe : describe.skip)('console main process, end to end (real keychain, real bundled server)', () => {
  const appData = tempDir('gadm-console-');
  const service = `graphistry-admin-console-test-${process.pid}`;
  const secrets: string[] = [STRONG_PASSWORD];
  const servers: Array<ReturnType<typeof createBundledServer>> = [];

  /** One launch of the console: fresh objects over the same app data folder, as after a restart. */
  function launch(): ConsoleHandlers {
    const bundled = createBundledServer({ dataDir: join(appData, 'server') });
    servers.push(bundled);
    return createConsoleService({
      profiles: createProfilesStore(appData),
      vault: createKeychainVault({ service }),
      bundled,
      backends: createBackendFactory(),
      clipboard: null,
      machine: 'test-machine',
    });
  }

  let profileId: string;
  beforeAll(() => undefined);
  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    const vault = createKeychainVault({ service });
    if (profileId) await vault.delete(profileId).catch(() => undefined);
    rmSync(appData, { recursive: true, force: true });
  });

  it('creates a bundled profile, starts the server, signs up the first admin, and signs in again after a restart using only the keychain', async () => {
    const first = launch();
    const profile = await first.saveProfile({ name: 'This computer', kind: 'bundled' });
    profileId = profile.id;
    expect(profile.has_credential).toBe(false);

    const started = await first.startBundledServer({});
    expect(started.state).toBe('running');
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await first.registrationState({ profileId })).has_users).toBe(false);

    const signedUp = await first.signUpFirstAdmin({ profileId, username: 'admin', password: STRONG_PASSWORD });
    expect(signedUp.connected).toBe(true);
    expect(signedUp.user).toMatchObject({ username: 'admin', is_superuser: true, is_staff: true });
    expect(signedUp.keychain.available).toBe(true);
    expect(signedUp.profile?.has_credential).toBe(true);

    const conn = signedUp.connection!;
    const created = await first.createUser({ connection: conn, username: 'bob', password: 'bobs own passphrase' });
    secrets.push('bobs own passphrase', created.key!.secret);
    const keys = await first.listKeys({ connection: conn, user: 'me' });
    expect(keys.map((k) => k.name)).toContain('Graphistry Admin Console on test-machine');
    const jwt = await first.mintJwt({ connection: conn });
    secrets.push(jwt.token);

    // Quit: the server stops with the console.
    await first.stopBundledServer({});

    // Restart: nothing but the profiles file and the keychain.
    const second = launch();
    const before = await second.connectionStatus({});
    expect(before.connected).toBe(false);
    const status = await second.connect({ profileId });
    expect(status.connected).toBe(true);
    expect(status.user?.username).toBe('admin');
    const users = await second.listUsers({ connection: status.connection!, search: 'bob' });
    expect(users.results.map((u) => u.username)).toEqual(['bob']);

    // The machine key is in the keychain, and nowhere on disk; nor is any password or token.
    const stored = await createKeychainVault({ service }).get(profileId);
    if (stored?.kind !== 'personal_key') throw new Error(`expected a personal key in the keychain, found ${stored?.kind}`);
    expect(stored.secret).toBeTruthy();
    secrets.push(stored.secret);
    for (const file of filesUnder(appData)) {
      const content = readFileSync(file).toString('latin1');
      for (const secret of secrets) expect(content.includes(secret), `${secret.slice(0, 6)}… found in ${file}`).toBe(false);
    }

    // Signing out forgets the key (keychain entry gone, key revoked on the server).
    expect(await second.signOut({ profileId })).toEqual({
      removed_from_keychain: true,
      revoked_on_server: true,
      was_connected: true,
      credential: 'personal_key',
    });
    expect(await createKeychainVault({ service }).get(profileId)).toBeNull();
    // Signing out again: nothing was kept, and the answer says so.
    expect(await second.signOut({ profileId })).toEqual({ removed_from_keychain: false, revoked_on_server: false, was_connected: false, credential: null });
    await expect(second.connect({ profileId })).rejects.toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    await second.stopBundledServer({});
  });
});
