// "Back up now" on the console's bundled server card, through the real
// console process and its bridge: a backup taken while the server serves,
// listed as the latest, never written over, and good: restored with the
// server's own `restore` into a fresh data dir, a server there takes the
// password and the personal key made before the backup.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundledBackup, BundledBackups } from '../../src-shared/console-api.ts';
import { startBundledConsole, stopConsoleAndClean, tempDir, type BundledConsole } from '../helpers/console-web.ts';
import { post, startServer } from '../helpers/server-process.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));
const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const BEN = { username: 'ben', password: 'ben keeps a long passphrase' };

describe('the console backs up its bundled server', () => {
  let c: BundledConsole;
  let benKey: { id: string; secret: string };
  beforeAll(async () => {
    c = await startBundledConsole(ADMIN);
    const made = await c.must<{ key: { id: string; secret: string } }>('createUser', { connection: c.connection, ...BEN });
    benKey = made.key;
  }, 120_000);
  afterAll(async () => stopConsoleAndClean(c?.web, c?.dataDir));

  it('says none yet, backs up while the server serves (mode 0600), lists it as the latest, and a second one is a new file', async () => {
    const before = await c.must<BundledBackups>('bundledServerBackups');
    expect(before).toEqual({ dir: join(c.dataDir, 'backups'), count: 0, last: null });
    const first = await c.must<BundledBackup>('backUpBundledServer');
    expect(first.file.startsWith(join(c.dataDir, 'backups'))).toBe(true);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(first.bytes).toBeGreaterThan(0);
    // The server kept serving: the bundled server still answers for the admin.
    expect((await c.must<{ state: string }>('bundledServerStatus')).state).toBe('running');
    await new Promise((r) => setTimeout(r, 5));
    const second = await c.must<BundledBackup>('backUpBundledServer');
    expect(second.file).not.toBe(first.file);
    expect(await c.must<BundledBackups>('bundledServerBackups')).toMatchObject({ count: 2, last: { file: second.file } });
  }, 120_000);

  it('the backup restores into a fresh data dir, where the password and the key made before still work', async () => {
    const { last } = await c.must<BundledBackups>('bundledServerBackups');
    const fresh = tempDir('gadm-restore-');
    const restored = spawnSync(process.execPath, [BIN, 'restore', last!.file, '--data-dir', fresh], { encoding: 'utf8' });
    expect(restored.status, restored.stderr).toBe(0);
    const server = await startServer(['--data-dir', fresh]);
    try {
      expect((await post(`${server.url}/api-token-auth/`, BEN)).status).toBe(200);
      const r = await fetch(`${server.url}/api/v2/auth/pkey/jwt/`, { method: 'POST', headers: { authorization: `PersonalKey ${benKey.id}:${benKey.secret}` } });
      expect(r.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
