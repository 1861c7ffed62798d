import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { post, startServer, type ServerProcess } from '../helpers/server-process.ts';
import { processStartId } from '../../src-server/lib/process-start.ts';

const mode = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

// File modes and the data dir lock belong to SQLite's data dir (PostgreSQL keeps no database there).
describe('data dir files and lock (sqlite)', () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const others: ChildProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const p of others.splice(0)) p.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  const start = async (d: string) => {
    const s = await startServer(['--data-dir', d]);
    servers.push(s);
    return s;
  };

  it('regression: the SQLite files were created 0644 (world-readable password hashes); now every file is 0600 and a new data dir 0700', async () => {
    const d = `${dir()}/fresh`;
    const s = await start(d);
    expect((await post(`${s.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD })).status).toBe(201);
    expect(mode(d)).toBe('0700');
    for (const f of ['graphistry-admin.sqlite3', 'graphistry-admin.sqlite3-wal', 'graphistry-admin.sqlite3-shm', '.env', 'server.lock']) {
      expect([f, mode(`${d}/${f}`)]).toEqual([f, '0600']);
    }
    expect(s.stderr()).not.toMatch(/other users of this machine/);
  });

  it('regression: a data dir readable by others started without a word; now the log warns, naming it', async () => {
    const d = dir();
    chmodSync(d, 0o755);
    const s = await start(d);
    await s.stop();
    expect(s.stderr(), `exit ${s.proc.exitCode} ${s.proc.signalCode}`).toMatch(
      new RegExp(`other users of this machine can reach the data dir.*${d} \\(mode 0755\\).*chmod 700 ${d}`),
    );
  });

  it('regression: a stale server.lock whose pid now belongs to an unrelated process blocked start-up until deleted by hand', async () => {
    const d = dir();
    const crashed = await start(d);
    const lockAsWritten = readFileSync(`${d}/server.lock`, 'utf8');
    crashed.proc.kill('SIGKILL'); // no clean stop: the lock stays
    await new Promise((r) => crashed.proc.once('exit', r));
    servers.splice(servers.indexOf(crashed), 1);
    // Its pid is taken by some other, living process (as after a reboot or in a container).
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    others.push(stranger);
    await new Promise((r) => stranger.once('spawn', r));
    const [, ...rest] = lockAsWritten.split('\n');
    writeFileSync(`${d}/server.lock`, [String(stranger.pid), ...rest].join('\n'));
    const next = await start(d);
    expect(readFileSync(`${d}/server.lock`, 'utf8').split('\n')[0]).toBe(String(next.proc.pid));
  });

  it('a lock whose pid and start time both match a living process is still respected', async () => {
    const d = dir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    others.push(holder);
    await new Promise((r) => holder.once('spawn', r));
    const started = processStartId(holder.pid!);
    expect(started).not.toBeNull();
    writeFileSync(`${d}/server.lock`, `${holder.pid}\n${started}\n`);
    await expect(startServer(['--data-dir', d])).rejects.toThrow(new RegExp(`in use by another graphistry-admin server \\(pid ${holder.pid}\\)`));
  });
});
