import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BundledServerStatus } from '../../src-shared/console-api.ts';
import type { BundledServer } from '../../src-main/contracts.ts';
import { createBundledServer, type BundledServerOptions } from '../../src-main/server/bundled-server.ts';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { get, post } from '../helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An orphan's exit is reaped by pid 1, which in some containers never reaps: a zombie is not alive.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
};

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

describe('bundled server launcher (real child processes)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  const launcher = (o: Partial<BundledServerOptions> = {}): BundledServer => {
    const dataDir = o.dataDir ?? tempDir();
    const s = createBundledServer({ dataDir, ...o });
    cleanups.push(
      () => rmSync(dataDir, { recursive: true, force: true }),
      () => s.stop(),
    );
    return s;
  };

  it('starts on a free loopback port, answers /ht/, logs, is idempotent, and stops', async () => {
    const s = launcher();
    const seen: string[] = [];
    s.onChange((st) => seen.push(st.state));
    const st = await s.start();
    expect(st).toMatchObject({ state: 'running', last_error: null });
    expect(st.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(st.pid).toBeGreaterThan(0);
    expect((await get(`${st.url}/ht/`)).status).toBe(200);
    expect(s.log().some((l) => l.includes(`listening on ${st.url}`))).toBe(true);
    expect(await s.start()).toEqual(st);
    const stopped = await s.stop();
    expect(stopped).toMatchObject({ state: 'stopped', url: null, pid: null, last_error: null });
    expect(seen).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(alive(st.pid!)).toBe(false);
    // Stopped on request: it had time to remove its data dir lock.
    expect(existsSync(`${st.data_dir}/server.lock`)).toBe(false);
  });

  it('a server killed with -9 is reported as crashed, and restarts on request with its data', async () => {
    const s = launcher();
    const first = await s.start();
    expect((await post(`${first.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD })).status).toBe(201);
    const crashed = new Promise<BundledServerStatus>((resolve) => s.onChange((st) => st.state === 'crashed' && resolve(st)));
    process.kill(first.pid!, 'SIGKILL');
    expect(await crashed).toMatchObject({
      state: 'crashed',
      url: null,
      pid: null,
      last_error: expect.stringMatching(/stopped unexpectedly \(killed by SIGKILL\)/),
    });
    expect(s.status().state).toBe('crashed');

    const again = await s.start();
    expect(again).toMatchObject({ state: 'running', last_error: null });
    expect(again.pid).not.toBe(first.pid);
    // Its stale lock was taken over, and the admin signed up before the crash is still there.
    expect((await post(`${again.url}/api-token-auth/`, { username: 'admin', password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('a port in use is PORT_IN_USE, naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as { port: number }).port;
    const s = launcher({ port });
    await expect(s.start()).rejects.toMatchObject({
      error: { code: 'PORT_IN_USE', message: expect.stringContaining(`Port ${port} on 127.0.0.1 is already in use`) },
    });
    expect(s.status()).toMatchObject({ state: 'stopped', pid: null, last_error: expect.stringContaining(`Port ${port}`) });
  });

  it('keeps its port across restarts (links made with it stay valid), and takes a free one when that port is taken meanwhile', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const portFile = `${dir}/bundled-server.json`;
    const first = launcher({ portFile });
    const a = await first.start();
    await first.stop();
    // A new launcher, as after the console restarts: same port.
    const second = launcher({ dataDir: a.data_dir, portFile });
    const b = await second.start();
    expect(b.url).toBe(a.url);
    await second.stop();
    // Another program took the port in between: the server still starts, elsewhere, and keeps that port next.
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(Number(new URL(a.url!).port), '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const third = launcher({ dataDir: a.data_dir, portFile });
    const c = await third.start();
    expect(c.state).toBe('running');
    expect(c.url).not.toBe(a.url);
    expect(third.log().some((l) => l.includes('is taken by another program now'))).toBe(true);
    expect(JSON.parse(readFileSync(portFile, 'utf8'))).toEqual({ port: Number(new URL(c.url!).port) });
  });

  it('a second launcher on the same data dir is DATABASE_LOCKED, and the first keeps running', async () => {
    const first = launcher();
    const running = await first.start();
    const second = launcher({ dataDir: running.data_dir });
    await expect(second.start()).rejects.toMatchObject({ error: { code: 'DATABASE_LOCKED', message: expect.stringContaining(`(pid ${running.pid})`) } });
    expect(second.status().state).toBe('stopped');
    expect((await get(`${running.url}/ht/`)).status).toBe(200);
  });

  it('a missing executable, a broken script, or a silent process is SERVER_FAILED with a sentence', async () => {
    const missing = launcher({ command: { execPath: '/nonexistent/node', args: [] } });
    await expect(missing.start()).rejects.toMatchObject({
      error: { code: 'SERVER_FAILED', message: expect.stringMatching(/could not be launched with \/nonexistent\/node: .*ENOENT/) },
    });

    const broken = launcher({ command: { execPath: process.execPath, args: ['/nonexistent/graphistry-admin.js'] } });
    await expect(broken.start()).rejects.toMatchObject({
      error: { code: 'SERVER_FAILED', message: expect.stringMatching(/stopped \(exit code 1\) before it was ready: Error: Cannot find module/) },
    });

    const silent = launcher({ command: { execPath: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }, startTimeoutMs: 800 });
    const pending = silent.start();
    await until(() => silent.status().pid !== null);
    const pid = silent.status().pid!;
    await expect(pending).rejects.toMatchObject({ error: { code: 'SERVER_FAILED', message: expect.stringContaining('not ready within 0.8 s') } });
    expect(alive(pid)).toBe(false);
  });

  it('stop() during a start ends the child and that start, without recording an error', async () => {
    const s = launcher({ command: { execPath: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } });
    const pending = s.start();
    await until(() => s.status().pid !== null);
    const pid = s.status().pid!;
    expect(await s.stop()).toMatchObject({ state: 'stopped', pid: null, last_error: null });
    await expect(pending).rejects.toMatchObject({ error: { code: 'SERVER_FAILED', message: 'The bundled server was stopped before it was ready.' } });
    expect(alive(pid)).toBe(false);
  });

  it('leaves no orphan when the console process is killed with -9', async () => {
    const dataDir = tempDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const code = `const { createBundledServer } = await import(${JSON.stringify(`${ROOT}src-main/server/bundled-server.ts`)});
      const st = await createBundledServer({ dataDir: ${JSON.stringify(dataDir)} }).start();
      console.log('pid=' + st.pid);`;
    const consoleProc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `${code} setInterval(() => {}, 1000);`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => consoleProc.kill('SIGKILL'));
    let out = '';
    consoleProc.stdout.on('data', (c) => (out += String(c)));
    await until(() => /pid=\d+/.test(out), 30_000);
    const serverPid = Number(/pid=(\d+)/.exec(out)![1]);
    cleanups.push(() => alive(serverPid) && process.kill(serverPid, 'SIGKILL'));
    expect(alive(serverPid)).toBe(true);
    consoleProc.kill('SIGKILL');
    await until(() => !alive(serverPid));
    // It shut down cleanly (the closed stdin pipe, not a kill), so its lock is gone too.
    expect(existsSync(`${dataDir}/server.lock`)).toBe(false);
  });
});
