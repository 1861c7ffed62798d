// Bounded parsing of a remote Graphistry's admin pages. A hostile (or broken)
// server stands between the console and a real Django admin (the reference
// peer): everything passes through untouched except the one page it replaces
// with 64 MiB streamed without end in sight, a gzip bomb, a page nested past
// any admin template, or the real change list padded to exactly the limit
// and one byte past it. The console's side runs as a process of its own
// (test/helpers/remote-page-client.ts, the real RemoteGraphistryBackend), so
// its event loop and its peak memory are its own.
//
// Regression: a 16 MiB admin page held the console's main process for ~5 s
// and took ~1.45 GB (issue 18).
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_BYTES } from '../../src-main/backend/remote/admin-http.ts';
import { createEmbeddedBackend } from '../../src-main/backend/embedded-backend.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { ConsoleError } from '../../src-shared/console-errors.ts';
import type { UserPage } from '../../src-shared/domain.ts';
import { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';
import type { LoopStalls } from '../helpers/loop-stalls.ts';

const CLIENT = fileURLToPath(new URL('../helpers/remote-page-client.ts', import.meta.url));
const MIB = 1024 * 1024;
const HOSTILE_BYTES = 64 * MIB;
/** The acceptance figures: the console's loop never held over 50 ms, its memory under 300 MB. */
const MAX_STALL_MS = 50;
const MAX_RSS_MB = 300;
const LIST = '/admin/users/user/';
const LOGIN = '/admin/login/';

const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the hostile admin page tests.\n\n`);

/** How the server in the middle answers the one page it replaces. */
type Mode =
  { kind: 'endless'; path: string } | { kind: 'gzip-bomb'; path: string } | { kind: 'nested'; path: string } | { kind: 'padded'; path: string; bytes: number };

interface Hostile {
  url: string;
  /** Bytes of the replaced page the server managed to hand to its socket before the client stopped reading. */
  sent: number;
  close(): Promise<void>;
}

// A row of a change list, as Django writes one: 64 MiB of these look like a page until the end never comes.
const ROW =
  '<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" value="7" class="action-select"></td><th class="field-username"><a href="/admin/users/user/7/change/">u000007</a></th><td class="field-email">u000007@seed.example</td></tr>\n';
const HEAD = '<!DOCTYPE html><html lang="en-us"><head><title>Select user to change</title></head><body class="change-list"><table id="result_list"><tbody>\n';

function streamEndless(res: ServerResponse, hostile: Hostile, encoding?: 'gzip') {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...(encoding ? { 'Content-Encoding': encoding } : {}) });
  if (encoding) {
    // 64 MiB of rows compress to about 200 KB: the client only learns the size by inflating it.
    const body = gzipSync(Buffer.from(HEAD + ROW.repeat(Math.ceil(HOSTILE_BYTES / ROW.length))));
    hostile.sent += body.length;
    res.end(body);
    return;
  }
  const chunk = Buffer.from(ROW.repeat(Math.ceil((64 * 1024) / ROW.length)));
  let left = HOSTILE_BYTES;
  res.write(HEAD);
  // Written as fast as the client reads (backpressure), until it has all 64 MiB or hangs up.
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      hostile.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('</tbody></table></body></html>');
  };
  res.on('close', () => (left = 0));
  pump();
}

/** The real answer, with a hidden block of ordinary markup before `</body>` to make it exactly `bytes` long. */
function pad(html: string, bytes: number): string {
  const at = html.lastIndexOf('</body>');
  const para = `<p class="help">${'Help text an admin theme might print under a list, in a paragraph of its own. '.repeat(5)}</p>\n`;
  const room = bytes - Buffer.byteLength(html) - '<div hidden></div>'.length;
  if (room < 0) throw new Error(`the page is already ${Buffer.byteLength(html)} bytes`);
  const filler = para.repeat(Math.floor(room / para.length));
  return `${html.slice(0, at)}<div hidden>${filler}${' '.repeat(room - filler.length)}</div>${html.slice(at)}`;
}

async function startHostile(peer: DjangoPeer, mode: Mode): Promise<Hostile> {
  const target = new URL(peer.url);
  const hostile: Hostile = { url: '', sent: 0, close: async () => undefined };
  const forward = (req: IncomingMessage, res: ServerResponse, answer?: (status: number, headers: IncomingMessage['headers'], body: string) => void) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (!answer) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        return void up.pipe(res);
      }
      const parts: Buffer[] = [];
      up.on('data', (c: Buffer) => parts.push(c));
      up.on('end', () => answer(up.statusCode ?? 502, up.headers, Buffer.concat(parts).toString('utf8')));
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  };
  const floor = Buffer.alloc(MAX_PAGE_BYTES, 'x');
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // The client's measure of the machine's floor (remote-page-client.ts): bytes only, as large as the largest page.
    if (path === '/__floor__') return void res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': floor.length }).end(floor);
    if (req.method !== 'GET' || path !== mode.path) return forward(req, res);
    if (mode.kind === 'endless') return streamEndless(res, hostile);
    if (mode.kind === 'gzip-bomb') return streamEndless(res, hostile, 'gzip');
    if (mode.kind === 'nested') {
      const page = `${HEAD}</tbody></table>${'<div>'.repeat(300)}</body></html>`;
      return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    }
    forward(req, res, (status, headers, body) => {
      const page = status === 200 ? pad(body, mode.bytes) : body;
      const { 'content-length': _length, 'transfer-encoding': _te, ...rest } = headers;
      res.writeHead(status, { ...rest, 'Content-Length': Buffer.byteLength(page) }).end(page);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hostile.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hostile.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return hostile;
}

interface ClientRun {
  value?: unknown;
  error?: ConsoleError;
  ms: number;
  stalls: LoopStalls;
  /** The loop, while the same process merely received MAX_PAGE_BYTES of bytes just before (the machine's floor). */
  floor: LoopStalls;
  rssBeforeMb: number;
  peakRssMb: number;
}

/** The console's side, in a process of its own: one operation against `baseUrl`, and what it cost. */
function runClient(baseUrl: string, operation: 'me' | 'listUsers'): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    // --single-threaded-gc: V8 otherwise hands a scavenge to helper threads and the main thread sleeps until they
    // are done, which on a machine whose cores are taken reads as a stall of ours with no CPU spent (75 ms at a
    // load of 14 on 2 cores). On one thread the collector's work is the loop's own CPU, counted against it:
    // stricter than the console's own process, and the same on a quiet machine and a busy one.
    const child = spawn(
      process.execPath,
      [
        ...(process.env.HAP_GC === 'parallel' ? [] : ['--single-threaded-gc']),
        '--import',
        'tsx',
        CLIENT,
        baseUrl,
        operation,
        PEER_ADMIN.username,
        PEER_ADMIN.password,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ClientRun);
      } catch {
        reject(new Error(`the client exited ${code} without a result:\n${out}\n${err}`));
      }
    });
  });
}

const say = (what: string, r: ClientRun, hostile?: Hostile) =>
  process.stdout.write(
    `hostile admin page: ${what}: ${r.error ? `refused (${r.error.serverCode})` : 'read'} in ${r.ms} ms; loop held at most ${r.stalls.ownMaxMs} ms ` +
      `(wall ${r.stalls.wallMaxMs} ms, CPU ${r.stalls.busyMaxMs} ms between ticks; receiving 2 MiB of bytes held it ${r.floor.ownMaxMs} ms, CPU ${r.floor.busyMaxMs} ms); RSS ${r.rssBeforeMb} -> peak ${r.peakRssMb} MB` +
      `${hostile ? `; the server handed over ${(hostile.sent / MIB).toFixed(1)} MiB` : ''}\n`,
  );

/**
 * The loop and memory figures a run must meet. `own`: the longest time the
 * loop was late less its waits for a CPU (the acceptance figure). Parsing a
 * full 2 MiB page churns the young generation, and on a machine whose cores
 * are taken by other processes a scavenge's helper threads wait for a CPU
 * too, which the main thread sees as its own delay (up to 180 ms at a load
 * of 13 on 2 cores, 5 ms on a quiet one): there `cpu`, the most CPU the loop
 * held between two 1 ms ticks, is what the parse decides (a parse at once
 * holds it for the whole page: 700 ms for 2 MiB of that page).
 *
 * Node itself holds the loop while it takes in a socket's waiting bytes (it
 * reads them in one go and joins them): 12-25 ms for 2 MiB on this 2-core
 * VM when quiet, more under the suite's load. That floor is measured beside
 * each run, in the same process, and the bound is on what the console adds
 * to it.
 */
function withinBounds(r: ClientRun, stall: 'own' | 'cpu') {
  expect(r.stalls.ticks).toBeGreaterThan(0);
  // Where schedstat is missing (not Linux), the wall-clock gap is all there is.
  const measure = (s: LoopStalls) => (stall === 'own' ? s.ownMaxMs : s.busyMaxMs) ?? s.wallMaxMs;
  expect(measure(r.stalls) - measure(r.floor)).toBeLessThan(MAX_STALL_MS);
  expect(r.peakRssMb).toBeLessThan(MAX_RSS_MB);
}

(missing ? describe.skip : describe)('a hostile admin page: refused with a clear error, the loop never held long, memory bounded', () => {
  let peer: DjangoPeer;
  const servers: Hostile[] = [];
  const hostile = async (mode: Mode) => {
    const h = await startHostile(peer, mode);
    servers.push(h);
    return h;
  };

  beforeAll(async () => {
    peer = await startDjangoPeer();
    // 199 seeded users and the admin: a full 200-row change list, the largest page the console asks for.
    await seedPeerUsers(peer, 199);
  }, 90_000);
  afterAll(async () => {
    for (const h of servers) await h.close();
    await peer?.stop();
  });

  it('refuses a 64 MiB sign-in page while it streams in, naming the page and the limit', async () => {
    const h = await hostile({ kind: 'endless', path: LOGIN });
    const r = await runClient(h.url, 'me');
    say('64 MiB sign-in page', r, h);
    expect(r.error).toEqual({
      code: 'SERVER_ERROR',
      serverCode: 'ANSWER_TOO_LARGE',
      message: `${new URL(h.url).host} answered ${LOGIN} with more than 2 MiB, far more than the console ever asks for, so the console stopped reading it.`,
    });
    withinBounds(r, 'own');
    // The console hung up early: most of the 64 MiB was never sent.
    expect(h.sent).toBeLessThan(16 * MIB);
  }, 60_000);

  it('refuses a 64 MiB change list after a real sign-in', async () => {
    const h = await hostile({ kind: 'endless', path: LIST });
    const r = await runClient(h.url, 'listUsers');
    say('64 MiB change list', r, h);
    expect(r.error).toMatchObject({
      code: 'SERVER_ERROR',
      serverCode: 'ANSWER_TOO_LARGE',
      message: expect.stringContaining(`answered ${LIST} with more than 2 MiB`),
    });
    withinBounds(r, 'own');
    expect(h.sent).toBeLessThan(16 * MIB);
  }, 60_000);

  it('counts the bytes after decompression: a gzip bomb of 64 MiB is refused the same way', async () => {
    const h = await hostile({ kind: 'gzip-bomb', path: LOGIN });
    const r = await runClient(h.url, 'me');
    say('gzip bomb (64 MiB inflated)', r, h);
    expect(r.error).toMatchObject({ code: 'SERVER_ERROR', serverCode: 'ANSWER_TOO_LARGE' });
    withinBounds(r, 'own');
  }, 60_000);

  it('refuses a small page nested deeper than any admin template', async () => {
    const h = await hostile({ kind: 'nested', path: LOGIN });
    const r = await runClient(h.url, 'me');
    say('300 nested <div>', r);
    expect(r.error).toMatchObject({
      code: 'SERVER_ERROR',
      serverCode: 'PAGE_TOO_COMPLEX',
      message: expect.stringContaining('nests elements more than 256 deep'),
    });
  }, 60_000);

  it('reads a change list padded to exactly the limit as it reads the real one, and refuses it one byte longer', async () => {
    const direct = await createRemoteGraphistryBackend({ baseUrl: peer.url })
      .withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password })
      .listUsers({ ordering: 'username', page_size: 200 });
    expect(direct.results).toHaveLength(200);

    const at = await hostile({ kind: 'padded', path: LIST, bytes: MAX_PAGE_BYTES });
    const r = await runClient(at.url, 'listUsers');
    say(`change list padded to ${MAX_PAGE_BYTES} bytes`, r);
    expect(r.error).toBeUndefined();
    // Each run signs the admin in again, and the list shows its last sign-in to the minute: a minute may turn between two runs.
    const sansAdminSignIn = (p: UserPage) => ({ ...p, results: p.results.map((u) => (u.username === PEER_ADMIN.username ? { ...u, last_login: null } : u)) });
    expect(sansAdminSignIn(r.value as UserPage)).toEqual(sansAdminSignIn(direct));
    withinBounds(r, 'cpu');

    const over = await hostile({ kind: 'padded', path: LIST, bytes: MAX_PAGE_BYTES + 1 });
    const refused = await runClient(over.url, 'listUsers');
    expect(refused.error).toMatchObject({ serverCode: 'ANSWER_TOO_LARGE' });
  }, 90_000);
});

describe('a hostile bundled-style server', () => {
  it('is refused past 1 MiB of JSON while it streams, before any of it is parsed', async () => {
    let sent = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.from(`${'[1,'.repeat(16_384)}`);
      res.write('{"has_users":');
      const pump = () => {
        while (!res.destroyed && sent < HOSTILE_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await createEmbeddedBackend({ baseUrl: `http://${host}` })
        .registrationState()
        .then(
          () => null,
          (e: { error?: ConsoleError }) => e.error,
        );
      expect(refused).toEqual({
        code: 'SERVER_ERROR',
        serverCode: 'ANSWER_TOO_LARGE',
        message: `${host} answered GET /api/v2/auth/registration with more than 1 MiB, far more than the console ever asks for, so the console stopped reading it.`,
      });
      expect(sent).toBeLessThan(16 * MIB);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
