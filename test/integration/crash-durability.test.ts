import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { post, startServer, type ServerProcess } from '../helpers/server-process.ts';

/**
 * A serving process commits its writes on the SQLite database thread, in
 * groups (src-server/db/sqlite-writer.ts), and answers a request only after
 * the commit. Killed with SIGKILL in the middle of a burst, it must not have
 * acknowledged anything that is not on disk afterwards.
 */
describe('kill -9 during a burst of writes (SQLite, database thread)', () => {
  let server: ServerProcess | null = null;
  let dataDir = '';
  afterEach(async () => {
    server?.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged audit row of the key exchanges it answered', async () => {
    dataDir = tempDir();
    server = await startServer(['--data-dir', dataDir]);
    const signup = await post(`${server.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    expect(signup.status).toBe(201);
    const authorization = (signup.body.key as { authorization: string }).authorization;

    let acknowledged = 0;
    let stop = false;
    const url = `${server.url}/api/v2/auth/pkey/jwt/`;
    // Eight clients exchanging the key as fast as they can; each 200 is one acknowledged audit row.
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        try {
          const res = await fetch(url, { method: 'POST', headers: { authorization } });
          await res.arrayBuffer();
          if (res.status === 200) acknowledged++;
        } catch {
          return; // the process is gone: this request was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    const killed = new Promise((r) => server!.proc.once('exit', r));
    server.proc.kill('SIGKILL');
    await killed;
    stop = true;
    await Promise.all(clients);
    expect(acknowledged).toBeGreaterThan(50);

    const db = new SQLite(join(dataDir, 'graphistry-admin.sqlite3'));
    try {
      const { n } = db.prepare("select count(*) as n from audit_log where action = 'auth.pkey' and outcome = 'success'").get() as { n: number };
      console.log(`acknowledged ${acknowledged}, on disk ${n}`);
      expect(n).toBeGreaterThanOrEqual(acknowledged);
    } finally {
      db.close();
    }
  });
});
