// Without an OS keychain the console keeps no credential, yet switching back to
// a connection signed in to earlier in this run needs no password: the sign-in
// it switched away from is kept in memory (never on disk) as long as its
// server takes it, as a new connection. Signing out ends it.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { createConsoleService } from '../../src-main/console-service.ts';
import type { ConsoleHandlers, Vault } from '../../src-main/contracts.ts';
import { createProfilesStore } from '../../src-main/profiles/profiles-store.ts';
import { createBundledServer } from '../../src-main/server/bundled-server.ts';
import { failure } from '../helpers/failure.ts';
import { makeTestApp, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';

/** Injected failure: this computer has no keychain (as where no Secret Service runs). */
const noKeychain: Vault = {
  status: async () => ({ available: false, detail: 'no Secret Service on this computer' }),
  get: async () => {
    throw new ConsoleFailure({ code: 'NO_KEYCHAIN', message: 'This computer has no OS keychain.' });
  },
  set: async () => {
    throw new ConsoleFailure({ code: 'NO_KEYCHAIN', message: 'This computer has no OS keychain.' });
  },
  delete: async () => {
    throw new ConsoleFailure({ code: 'NO_KEYCHAIN', message: 'This computer has no OS keychain.' });
  },
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));

describe('switching back without a keychain', () => {
  const appData = tempDir('gadm-switch-back-');
  const servers: TestApp[] = [];
  let c: ConsoleHandlers;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    c = createConsoleService({
      profiles: createProfilesStore(appData),
      vault: noKeychain,
      bundled: createBundledServer({ dataDir: join(appData, 'server') }),
      backends: createBackendFactory({ timeoutMs: 10_000 }),
      clipboard: null,
      machine: 'switch-back-test',
    });
    for (const name of ['Lab', 'Team']) {
      const t = await makeTestApp('sqlite');
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      servers.push(t);
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const r = await fetch(`${url}/api/v2/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: STRONG_PASSWORD }),
      });
      expect(r.status).toBe(201);
      ids[name] = (await c.saveProfile({ name, kind: 'remote', url })).id;
    }
  });
  afterAll(async () => {
    for (const t of servers) await t.close();
    rmSync(appData, { recursive: true, force: true });
  });

  it('a connection switched away from comes back without a password, as a new connection; after signing out it asks again', async () => {
    const lab = await c.signIn({ profileId: ids.Lab!, username: 'admin', password: STRONG_PASSWORD });
    expect(lab.keychain.available).toBe(false);
    const team = await c.signIn({ profileId: ids.Team!, username: 'admin', password: STRONG_PASSWORD });
    expect(team.profile?.name).toBe('Team');

    // Back to Lab: no password, and a connection id of its own (a screen prepared for the first one is refused).
    const back = await c.connect({ profileId: ids.Lab! });
    expect(back).toMatchObject({ connected: true, profile: { name: 'Lab' }, user: { username: 'admin' } });
    expect(back.connection).not.toBe(lab.connection);
    expect((await c.listUsers({ connection: back.connection! })).results.map((u) => u.username)).toEqual(['admin']);
    expect(await failure(c.listUsers({ connection: lab.connection! }))).toMatchObject({ code: 'STALE_CONNECTION' });
    // And to Team again.
    expect((await c.connect({ profileId: ids.Team! })).profile?.name).toBe('Team');

    // Nothing of it on disk: no token in the console's files.
    for (const file of filesUnder(appData)) expect(readFileSync(file, 'latin1')).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);

    // Signed out of Lab: switching there asks for the password again.
    await c.signOut({ profileId: ids.Lab! });
    expect(await failure(c.connect({ profileId: ids.Lab! }))).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('no OS keychain') });
  });

  it('a kept sign-in its server no longer takes (the admin deactivated meanwhile) is dropped, and the password is asked for', async () => {
    await c.signIn({ profileId: ids.Lab!, username: 'admin', password: STRONG_PASSWORD });
    await c.signIn({ profileId: ids.Team!, username: 'admin', password: STRONG_PASSWORD });
    // Lab's admin changes their password elsewhere: every token they had ends.
    const lab = servers[0]!;
    const admin = await lab.services.users.find('admin');
    await lab.services.users.setPassword({ userId: null, username: 'cli', ip: null }, admin.id, 'a brand new passphrase for lab');
    expect(await failure(c.connect({ profileId: ids.Lab! }))).toMatchObject({ code: 'UNAUTHORIZED' });
    // Still on Team.
    expect((await c.connectionStatus({})).profile?.name).toBe('Team');
  });
});
