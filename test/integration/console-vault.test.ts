import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AsyncEntry, findCredentials } from '@napi-rs/keyring';
import { tempDir } from '../helpers/app.ts';
import { createKeychainVault } from '../../src-main/vault/keychain-vault.ts';
import type { StoredCredential } from '../../src-main/contracts.ts';

// A service of its own per run: the test never touches the console's real entries.
const service = `graphistry-admin-console-test-${process.pid}-${randomBytes(4).toString('hex')}`;
const keychain = await createKeychainVault({ service }).status();
if (!keychain.available) {
  process.stderr.write(
    `\n!!! SKIPPING the keychain vault tests: ${keychain.detail}\n!!! \`npm test\` runs them in a throwaway D-Bus session with gnome-keyring (apt-get install dbus gnome-keyring).\n\n`,
  );
}

const credential = (username: string): StoredCredential => ({
  kind: 'personal_key',
  id: randomBytes(8).toString('hex'),
  secret: randomBytes(32).toString('base64url'),
  username,
});

describe.skipIf(!keychain.available)('keychain vault (real OS keychain)', () => {
  const vault = createKeychainVault({ service });
  afterAll(async () => {
    for (const c of findCredentials(service)) await new AsyncEntry(service, c.account, { linux: { store: 'secret-service' } }).deleteCredential();
  });

  it('keeps a credential as JSON under profile:<id>, replaces it on set, and forgets it on delete', async () => {
    const first = credential('admin');
    await vault.set('p1', first);
    expect(await vault.get('p1')).toEqual(first);
    // The slot holds exactly the JSON of the credential, nothing more.
    const raw = findCredentials(service).find((c) => c.account === 'profile:p1');
    expect(JSON.parse(raw!.password)).toEqual(first);

    const second = credential('admin');
    await vault.set('p1', second);
    expect(await vault.get('p1')).toEqual(second);

    await vault.delete('p1');
    expect(await vault.get('p1')).toBeNull();
    // Deleting what is not there is not an error (signing out twice).
    await expect(vault.delete('p1')).resolves.toBeUndefined();
  });

  it('keeps two profiles, and two services, apart', async () => {
    const a = credential('alice');
    const b = credential('bob');
    await vault.set('profile-a', a);
    await vault.set('profile-b', b);
    expect(await vault.get('profile-a')).toEqual(a);
    expect(await vault.get('profile-b')).toEqual(b);
    expect(await createKeychainVault({ service: `${service}-other` }).get('profile-a')).toBeNull();
    await vault.delete('profile-a');
    expect(await vault.get('profile-a')).toBeNull();
    expect(await vault.get('profile-b')).toEqual(b);
    await vault.delete('profile-b');
  });

  it("keeps a Graphistry admin's password as its own kind of credential", async () => {
    await vault.set('graphistry', { kind: 'password', username: 'admin', password: 'a graphistry passphrase' });
    expect(await vault.get('graphistry')).toEqual({ kind: 'password', username: 'admin', password: 'a graphistry passphrase' });
    await vault.delete('graphistry');
  });

  it('answers null for a profile with nothing stored', async () => {
    expect(await vault.get('never-stored')).toBeNull();
  });

  it('does not trust a value in its slot that is not a credential', async () => {
    const slot = new AsyncEntry(service, 'profile:tampered', { linux: { store: 'secret-service' } });
    for (const value of ['not json', '{"kind":"token","value":"x","username":"u"}', '{"kind":"password","password":"x"}', '{"kind":"personal_key","id":"k"}']) {
      await slot.setPassword(value);
      expect(await vault.get('tampered')).toBeNull();
    }
    await slot.deleteCredential();
  });

  it('leaves no probe entry behind after status() and refuses ids that are not profile ids', async () => {
    expect(await vault.status()).toEqual({ available: true, detail: null });
    expect(findCredentials(service).filter((c) => c.account.startsWith('probe:'))).toEqual([]);
    await expect(vault.get('../other')).rejects.toMatchObject({ error: { code: 'VALIDATION' } });
  });
});

describe.skipIf(process.platform !== 'linux')('keychain vault without a keychain', () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports unavailable with a sentence, and get/set/delete fail NO_KEYCHAIN without echoing the secret', () => {
    // Failure injection: a child process whose session bus address points at a socket nobody listens on.
    const secret = randomBytes(32).toString('base64url');
    const vaultUrl = new URL('../../src-main/vault/keychain-vault.ts', import.meta.url).href;
    const script = `
      const { createKeychainVault } = await import(${JSON.stringify(vaultUrl)});
      const vault = createKeychainVault({ service: ${JSON.stringify(service)} });
      const code = (p) => p.then(() => ({ ok: true }), (e) => ({ code: e.error?.code, message: e.message }));
      const cred = { kind: 'personal_key', id: 'k1', secret: ${JSON.stringify(secret)}, username: 'admin' };
      console.log(JSON.stringify({ status: await vault.status(), get: await code(vault.get('p1')), set: await code(vault.set('p1', cred)), del: await code(vault.delete('p1')) }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${dir}/no-bus-here` },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout) as Record<string, { available?: boolean; detail?: string; code?: string; message?: string }>;
    expect(out.status).toMatchObject({ available: false, detail: expect.stringMatching(/^No OS keychain answers .*keeps no credentials/) });
    // The Secret Service was asked and refused; not the in-memory kernel keyring the binding falls back to unpinned.
    expect(out.status!.detail).toMatch(/DBus error/);
    for (const op of ['get', 'set', 'del']) expect(out[op]).toMatchObject({ code: 'NO_KEYCHAIN', message: expect.stringMatching(/No OS keychain answers/) });
    expect(child.stdout).not.toContain(secret);
  });
});
