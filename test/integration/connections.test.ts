import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { tempDir } from '../helpers/app.ts';
import { get, startServer, type ServerProcess } from '../helpers/server-process.ts';

/** A raw TCP client, so a test can be as slow or as silent as an attacker. */
function rawClient(url: string): Promise<{ socket: Socket; closedAt: Promise<number>; received: () => string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      let data = '';
      socket.on('data', (c) => (data += String(c)));
      const closedAt = new Promise<number>((r) => socket.once('close', () => r(Date.now())));
      resolve({ socket, closedAt, received: () => data });
    });
    socket.once('error', reject);
  });
}

/** A body trickled one byte at a time, never finishing. */
async function slowBody(url: string) {
  const c = await rawClient(url);
  c.socket.on('error', () => undefined);
  c.socket.write(`POST /api-token-auth/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
  const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 300);
  void c.closedAt.then(() => clearInterval(drip));
  return c;
}

/** Request headers trickled one byte at a time, never finishing (slowloris). */
async function slowHeaders(url: string) {
  const c = await rawClient(url);
  c.socket.on('error', () => undefined);
  c.socket.write('GET /ht/ HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => c.socket.writable && c.socket.write('X-a: b\r\n'), 300);
  void c.closedAt.then(() => clearInterval(drip));
  return c;
}

/** One complete request on a keep-alive connection, then silence. */
async function idleKeepAlive(url: string) {
  const c = await rawClient(url);
  c.socket.write('GET /ht/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  while (!c.received().includes('ok')) await new Promise((r) => setTimeout(r, 10));
  return c;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still open'> =>
  Promise.race([p, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms))]);

describe('slow and idle connections, and stopping', () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) s.proc.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    const d = tempDir();
    dirs.push(d);
    const s = await startServer(['--data-dir', d], env);
    servers.push(s);
    return { s, d };
  };

  it('regression: a slow body, slow headers and an idle keep-alive connection stayed open for minutes', async () => {
    const { s } = await start({ REQUEST_TIMEOUT: '2', KEEP_ALIVE_TIMEOUT: '1' });
    const t0 = Date.now();
    const slow = await slowBody(s.url);
    const loris = await slowHeaders(s.url);
    const idle = await idleKeepAlive(s.url);
    const idleClosed = await within(idle.closedAt, 6_000);
    const slowClosed = await within(slow.closedAt, 8_000);
    const lorisClosed = await within(loris.closedAt, 8_000);
    expect(idleClosed).not.toBe('still open');
    expect(slowClosed).not.toBe('still open');
    expect(lorisClosed).not.toBe('still open');
    expect((lorisClosed as number) - t0).toBeLessThan(6_000);
    expect((idleClosed as number) - t0).toBeLessThan(4_000);
    expect((slowClosed as number) - t0).toBeLessThan(6_000);
    // The server itself is fine.
    expect((await get(`${s.url}/ht/`)).status).toBe(200);
  });

  it('regression: SIGTERM stopped listening but never exited while a slow client stayed, keeping server.lock; now it exits after the grace period and the data dir restarts', async () => {
    const { s, d } = await start({ REQUEST_TIMEOUT: '600', KEEP_ALIVE_TIMEOUT: '600', GRACEFUL_TIMEOUT: '2' });
    const slow = await slowBody(s.url);
    const loris = await slowHeaders(s.url);
    await idleKeepAlive(s.url);
    const exited = new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code)));
    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    const code = await within(exited, 8_000);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500); // the slow request had its grace period
    expect(await within(slow.closedAt, 1_000)).not.toBe('still open');
    expect(await within(loris.closedAt, 1_000)).not.toBe('still open');
    expect(existsSync(`${d}/server.lock`)).toBe(false);
    // A new server takes the same data dir at once.
    const again = await startServer(['--data-dir', d]);
    servers.push(again);
    expect((await get(`${again.url}/ht/`)).status).toBe(200);
  });

  it('an idle keep-alive connection does not hold SIGTERM up at all', async () => {
    const { s } = await start({ KEEP_ALIVE_TIMEOUT: '600', GRACEFUL_TIMEOUT: '30' });
    await idleKeepAlive(s.url);
    const exited = new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code)));
    s.proc.kill('SIGTERM');
    expect(await within(exited, 5_000)).toBe(0);
  });
});
