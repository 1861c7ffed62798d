import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consoleParams } from '../../src-shared/console-api.ts';
import type { ConsoleHandlers } from '../../src-main/contracts.ts';
import { RENDERER_CSP } from '../../src-main/bridge/csp.ts';
import { createDispatcher } from '../../src-main/bridge/dispatch.ts';
import { appProtocolResponse } from '../../src-main/electron/app-protocol.ts';
import { createWebHost, type WebHost } from '../../src-main/web/web-host.ts';
import { openWebHost, WEB_HOST_FILE } from '../../src-main/web/keep-place.ts';
import { freePort } from '../helpers/free-port.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw node:http, so the Host and Origin headers are exactly what the test says. */
function send(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const calls: string[] = [];
const handlers = Object.fromEntries(Object.keys(consoleParams).map((m) => [m, async () => (calls.push(m), { from: 'handler' })])) as unknown as ConsoleHandlers;

let root: string;
let host: WebHost;
let good: Record<string, string>;
const bridge = (headers: Record<string, string>, method = 'connectionStatus', body = '{}') =>
  send(host.port, { method: 'POST', path: `/bridge/${method}`, headers: { 'content-type': 'application/json', ...headers }, body });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'console-web-'));
  const renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>console</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(renderer, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(renderer, '.env'), 'NOT=served');
  writeFileSync(join(root, 'outside.txt'), 'TOP-SECRET-OUTSIDE');
  host = await createWebHost({ dispatch: createDispatcher(handlers), rendererDir: renderer });
  good = { host: `127.0.0.1:${host.port}`, origin: `http://127.0.0.1:${host.port}`, 'x-console-token': host.token };
});
afterAll(async () => {
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

describe('web-mode guards', () => {
  it('prints a loopback URL carrying a fresh token of at least 128 bits', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(Buffer.from(host.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const other = await createWebHost({ dispatch: createDispatcher(handlers), rendererDir: root });
    await other.close();
    expect(other.token).not.toBe(host.token);
  });

  it('answers a bridge call with the right token, Host and Origin (also as localhost, also without Origin)', async () => {
    calls.length = 0;
    for (const headers of [
      good,
      { ...good, host: `localhost:${host.port}`, origin: `http://localhost:${host.port}` },
      { host: good.host!, 'x-console-token': host.token },
    ]) {
      const res = await bridge(headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ ok: true, value: { from: 'handler' } });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(calls).toEqual(['connectionStatus', 'connectionStatus', 'connectionStatus']);
  });

  it('answers 401 to every bridge call without the token or with a wrong one', async () => {
    calls.length = 0;
    const { 'x-console-token': _t, ...noToken } = good;
    const wrongSameLength = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    for (const headers of [noToken, { ...good, 'x-console-token': wrongSameLength }, { ...good, 'x-console-token': 'x' }, { ...good, 'x-console-token': '' }]) {
      for (const method of Object.keys(consoleParams)) {
        const res = await bridge(headers, method);
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(401);
        expect(JSON.parse(res.body).error.code).toBe('UNAUTHORIZED');
      }
    }
    // The token in the query string (where the page found it) is not accepted either: only the header.
    const res = await send(host.port, { method: 'POST', path: `/bridge/connectionStatus?token=${host.token}`, headers: noToken, body: '{}' });
    expect(res.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('refuses a foreign Host (DNS rebinding), even with the right token, for the bridge and the page', async () => {
    calls.length = 0;
    const p = host.port;
    for (const hostHeader of [
      `evil.example:${p}`,
      `127.0.0.1.evil.example:${p}`,
      `127.0.0.1:${p + 1}`,
      '127.0.0.1',
      'localhost',
      `[::1]:${p}`,
      `LOCALHOST:${p}`,
    ]) {
      const res = await bridge({ ...good, host: hostHeader, origin: `http://${hostHeader}` });
      expect(res.status, hostHeader).toBe(421);
      expect((await send(host.port, { path: '/', headers: { host: hostHeader } })).status, hostHeader).toBe(421);
    }
    expect(calls).toEqual([]);
  });

  it('refuses a foreign Origin, even with the right token and Host', async () => {
    calls.length = 0;
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${host.port}`,
      `https://127.0.0.1:${host.port}`,
      `http://localhost:${host.port}`,
      'null',
    ]) {
      const res = await bridge({ ...good, origin });
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).error.code).toBe('FORBIDDEN');
    }
    expect(calls).toEqual([]);
  });

  it('refuses GET and other methods on /bridge, and bodies over 1 MiB', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await send(host.port, { method, path: '/bridge/connectionStatus', headers: good });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('POST');
    }
    const big = JSON.stringify({ text: 'x'.repeat(1024 * 1024) });
    expect((await bridge(good, 'copyToClipboard', big)).status).toBe(413);
    expect(calls).toEqual([]);
  });
});

describe('web-mode static files', () => {
  it('serves the renderer without a token, with content types and the renderer CSP', async () => {
    const page = await send(host.port, { path: '/', headers: { host: good.host! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await send(host.port, { path: '/assets/app.js', headers: { host: good.host! } });
    expect([js.status, js.headers['content-type'], js.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log("app");']);
    const css = await send(host.port, { path: '/assets/app.css?v=1', headers: { host: good.host! } });
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await send(host.port, { path: '/assets/missing.js', headers: { host: good.host! } })).status).toBe(404);
    expect((await send(host.port, { method: 'POST', path: '/', headers: { host: good.host! } })).status).toBe(405);
  });

  it('refuses directory traversal and dot-files', async () => {
    for (const path of [
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/..%5coutside.txt',
      '/assets/%2e%2e/%2e%2e/outside.txt',
      '/.env',
      '/assets/%00.js',
      '/%E0%A4%A',
    ]) {
      const res = await send(host.port, { path, headers: { host: good.host! } });
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('TOP-SECRET');
      expect(res.body, path).not.toContain('NOT=served');
    }
  });

  it('serves a page saying how to build the renderer when it is not built', async () => {
    const bare = await createWebHost({ dispatch: createDispatcher(handlers), rendererDir: join(root, 'no-renderer') });
    try {
      const res = await send(bare.port, { path: '/', headers: { host: `127.0.0.1:${bare.port}` } });
      expect(res.status).toBe(200);
      expect(res.body).toContain('npm start');
      expect(res.headers['content-security-policy']).toBe(RENDERER_CSP);
    } finally {
      await bare.close();
    }
  });

  it('app:// (the Electron protocol) serves the same files under the same rules', async () => {
    const dir = join(root, 'renderer');
    const index = await appProtocolResponse(dir, 'app://console/index.html', 'GET');
    expect([index.status, index.headers.get('content-type'), index.headers.get('content-security-policy')]).toEqual([
      200,
      'text/html; charset=utf-8',
      RENDERER_CSP,
    ]);
    expect(await (await appProtocolResponse(dir, 'app://console/assets/app.js', 'GET')).text()).toBe('console.log("app");');
    for (const url of ['app://console/%2e%2e/outside.txt', 'app://console/assets/..%2f..%2foutside.txt', 'app://console/.env', 'app://other/index.html']) {
      const res = await appProtocolResponse(dir, url, 'GET');
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('TOP-SECRET');
    }
    expect((await appProtocolResponse(dir, 'app://console/index.html', 'POST')).status).toBe(405);
  });
});

describe('npm run console:web', () => {
  it('prints exactly one line with the URL, serves the page and the bridge, and stops on SIGTERM', async () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', '--port', '0', '--data-dir', join(root, 'data')], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += String(c)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL in 30 s:\n${err}`)), 30_000);
        child.stdout.on('data', (c) => {
          out += String(c);
          const m = /^Graphistry Admin console \(web mode\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n$/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
        void exited.then((code) => reject(new Error(`exited ${code}:\n${err}`)));
      });
      const port = Number(url.port);
      const token = url.searchParams.get('token')!;
      expect((await send(port, { path: '/', headers: { host: url.host } })).status).toBe(200);
      const headers = { host: url.host, 'content-type': 'application/json' };
      expect((await send(port, { method: 'POST', path: '/bridge/listProfiles', headers, body: '{}' })).status).toBe(401);
      const res = await send(port, { method: 'POST', path: '/bridge/listProfiles', headers: { ...headers, 'x-console-token': token }, body: '{}' });
      expect(res.status, err).toBe(200);
      // The real console service on an empty data folder, or UNSUPPORTED when it is absent: a Result either way.
      const result = JSON.parse(res.body) as { ok: boolean; value?: unknown; error?: { code: string } };
      expect(result.ok ? result.value : result.error?.code, err).toEqual(result.ok ? [] : 'UNSUPPORTED');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('web mode keeps its place: port and token in web-host.json', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-web-place-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  /** Open web mode over `dir` as console-web does; `said` is what it told the admin. */
  const open = async (dir: string, o: { port?: number; newToken?: boolean } = {}) => {
    const said: string[] = [];
    const h = await openWebHost({ dispatch: createDispatcher(handlers), rendererDir: join(root, 'renderer'), dataDir: dir, say: (l) => said.push(l), ...o });
    cleanups.push(() => h.close());
    return { host: h, said };
  };
  const kept = (dir: string) => JSON.parse(readFileSync(join(dir, WEB_HOST_FILE), 'utf8')) as { port: number; token: string };
  const modeOf = (dir: string) => statSync(join(dir, WEB_HOST_FILE)).mode & 0o777;
  const hold = async (port: number) => {
    const s: NetServer = createNetServer();
    await new Promise<void>((r, j) => s.once('error', j).listen(port, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => s.close(r)));
    return s;
  };
  const answers = (h: WebHost, token: string) =>
    send(h.port, {
      method: 'POST',
      path: '/bridge/connectionStatus',
      headers: { host: `127.0.0.1:${h.port}`, 'content-type': 'application/json', 'x-console-token': token },
      body: '{}',
    }).then((r) => r.status);

  it('the first launch takes a free port and keeps it with the token (file 0600); the next launch prints the same URL and takes the old token', async () => {
    const dir = dataDir();
    const first = await open(dir);
    expect(first.said).toEqual([]);
    expect(kept(dir)).toEqual({ port: first.host.port, token: first.host.token });
    expect(modeOf(dir)).toBe(0o600);
    await first.host.close();

    const second = await open(dir);
    expect(second.host.url).toBe(first.host.url);
    expect(second.said).toEqual([]);
    // An open tab of the first launch sends the first launch's token: this launch takes it.
    expect(await answers(second.host, first.host.token)).toBe(200);
    expect(await answers(second.host, 'x'.repeat(43))).toBe(401);
  });

  it('a kept port another program holds now: a free one, said plainly and kept from then on; the token stays', async () => {
    const dir = dataDir();
    const first = await open(dir);
    await first.host.close();
    await hold(first.host.port);
    const moved = await open(dir);
    expect(moved.host.port).not.toBe(first.host.port);
    expect(moved.host.token).toBe(first.host.token);
    expect(moved.said).toHaveLength(1);
    expect(moved.said[0]).toMatch(
      new RegExp(`^Port ${first.host.port}, this console's port until now, is taken by another program: serving on port ${moved.host.port} instead`),
    );
    expect(kept(dir)).toEqual({ port: moved.host.port, token: first.host.token });
    await moved.host.close();
    expect((await open(dir)).host.port).toBe(moved.host.port);
  });

  it('--port N is served and kept; --port 0 takes a fresh free port and keeps that; a --port another program holds is an error, not a silent move', async () => {
    const dir = dataDir();
    const n = await freePort();
    const asked = await open(dir, { port: n });
    expect(asked.host.port).toBe(n);
    expect(kept(dir).port).toBe(n);
    await asked.host.close();
    const again = await open(dir);
    expect(again.host.port).toBe(n);
    await again.host.close();
    const free = await open(dir, { port: 0 });
    expect(kept(dir)).toEqual({ port: free.host.port, token: asked.host.token });
    await free.host.close();

    const taken = await freePort();
    await hold(taken);
    await expect(open(dir, { port: taken })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // Nothing was served, so nothing changed in the file.
    expect(kept(dir).port).toBe(free.host.port);
  });

  it('--new-token: the port stays, the old token is refused (an old tab gets the token page), and it says so', async () => {
    const dir = dataDir();
    const first = await open(dir);
    await first.host.close();
    const rotated = await open(dir, { newToken: true });
    expect(rotated.host.port).toBe(first.host.port);
    expect(rotated.host.token).not.toBe(first.host.token);
    expect(rotated.said.join('\n')).toMatch(/A new token, as asked \(--new-token\)/);
    expect(await answers(rotated.host, first.host.token)).toBe(401);
    expect(await answers(rotated.host, rotated.host.token)).toBe(200);
    expect(kept(dir).token).toBe(rotated.host.token);
  });

  it('a kept file that cannot be trusted: not JSON, readable by others, or odd values; what it says never carries the token', async () => {
    const dir = dataDir();
    const file = join(dir, WEB_HOST_FILE);
    writeFileSync(file, '{"port": 41234, "token": "SECRET-LOOKING', { mode: 0o600 });
    const broken = await open(dir);
    expect(broken.said).toEqual([`${file} could not be used (not JSON): this launch has a new port and token`]);
    expect(kept(dir)).toEqual({ port: broken.host.port, token: broken.host.token });
    expect(modeOf(dir)).toBe(0o600);
    await broken.host.close();

    // Another user could have read the token: a new one, on the same port, and the file is private again.
    chmodSync(file, 0o644);
    const loose = await open(dir);
    expect(loose.host.port).toBe(broken.host.port);
    expect(loose.host.token).not.toBe(broken.host.token);
    expect(loose.said).toEqual([`${file} was readable by other users: its token is replaced (open the new URL below), and the file is private again`]);
    expect(modeOf(dir)).toBe(0o600);
    await loose.host.close();

    writeFileSync(file, JSON.stringify({ port: 80, token: 'short' }), { mode: 0o600 });
    const odd = await open(dir);
    expect(odd.said).toEqual([`${file} is incomplete: this launch has a new port and token`]);
    expect(odd.host.token).not.toBe('short');
    expect(Buffer.from(odd.host.token, 'base64url')).toHaveLength(32);

    for (const line of [...broken.said, ...loose.said, ...odd.said]) {
      for (const token of [broken.host.token, loose.host.token, odd.host.token]) expect(line).not.toContain(token);
    }
  });
});

describe('console:web and npm start on the command line', () => {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const env = (() => {
    const { CONSOLE_WEB_PORT: _fixed, ...rest } = process.env;
    return rest;
  })();

  it('--help names --port and --new-token and starts nothing, also as `npm start -- --help`; a bad option or port is refused with the help', () => {
    const direct = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', '--help'], { cwd: repo, env, encoding: 'utf8', timeout: 30_000 });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/--port N {8}serve on port N, and keep it for later launches/);
    expect(direct.stdout).toMatch(/--new-token {5}make a new token/);
    expect(direct.stdout).not.toContain('Graphistry Admin console (web mode):');

    const viaNpm = spawnSync('npm', ['start', '--', '--help'], { cwd: repo, env, encoding: 'utf8', timeout: 60_000 });
    expect(viaNpm.status, viaNpm.stderr).toBe(0);
    expect(viaNpm.stdout).toContain('npm start -- --port 9000');
    expect(viaNpm.stdout).toMatch(/--new-token/);

    for (const args of [
      ['--prot', '9000'],
      ['--port', 'nine'],
      ['--port', '70000'],
      ['--port', ''],
    ]) {
      const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', ...args], { cwd: repo, env, encoding: 'utf8', timeout: 30_000 });
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toMatch(/--port|Unknown option/);
    }
  });

  it('`npm start -- --port N --data-dir D` serves on N and keeps it; a port another program holds is refused with a sentence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-web-npm-'));
    const n = await freePort();
    // Its own process group, so the whole chain (npm, sh, start.js, console-web) is stopped by this test.
    const child = spawn('npm', ['start', '--', '--port', String(n), '--data-dir', dir], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL in 120 s:\n${out}`)), 120_000);
        child.stdout.on('data', () => {
          const m = /Graphistry Admin console \(web mode\): (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
        void exited.then(() => reject(new Error(`npm start exited:\n${out}`)));
      });
      expect(url.origin).toBe(`http://127.0.0.1:${n}`);
      expect(JSON.parse(readFileSync(join(dir, WEB_HOST_FILE), 'utf8'))).toEqual({ port: n, token: url.searchParams.get('token') });

      // The same port asked for again while this console holds it.
      const second = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', '--port', String(n), '--data-dir', join(dir, 'other')], {
        cwd: repo,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`Port ${n} on 127.0.0.1 is taken by another program: choose another with --port N, or --port 0 for a free one.`);
      expect(second.stdout).not.toContain('Graphistry Admin console (web mode):');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
