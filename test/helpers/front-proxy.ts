import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { freePort, waitForPort } from './free-port.ts';

/** A program runs at all (`args` asks it its version). */
export function programMissing(path: string, args: string[]): string | null {
  return spawnSync(path, args).status === 0 ? null : `${path} not found`;
}

/** The page of the documentation that shows the reverse-proxy configurations. */
const STAFF_ACCESS_DOC = 'docs/staff-access.md';

/**
 * A configuration block exactly as docs/staff-access.md shows it (between its
 * `<!-- NAME-snippet:begin -->` and `<!-- NAME-snippet:end -->` markers), so
 * the configuration people copy is the one the end-to-end test runs.
 */
export function documentedSnippet(name: string, fence: string): string {
  const doc = readFileSync(new URL(`../../${STAFF_ACCESS_DOC}`, import.meta.url), 'utf8');
  const m = new RegExp(`<!-- ${name}-snippet:begin -->\\s*\`\`\`${fence}\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}-snippet:end -->`).exec(doc);
  if (!m) throw new Error(`${STAFF_ACCESS_DOC} has no ${name} snippet between <!-- ${name}-snippet:begin --> and <!-- ${name}-snippet:end -->`);
  return m[1]!;
}

/** A reverse proxy the test runs in front of the account server. */
export interface FrontProxy {
  url: string;
  port: number;
  dir: string;
  errorLog(): string;
  /** '' for a proxy that keeps none (the documented Caddy site block configures no access log). */
  accessLog(): string;
  stop(): Promise<void>;
}

/**
 * Start a proxy as a child of the test (never the system's instance) on a
 * free loopback port, everything of its own in `dir` (removed when it stops).
 * `spawnOn(port)` writes its configuration and starts it; another program
 * taking the port in between is retried.
 */
export async function startFrontProxy(
  name: string,
  dir: string,
  spawnOn: (port: number) => ChildProcess,
  logs: { error: string; access?: string },
  stopSignal: NodeJS.Signals,
): Promise<FrontProxy> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawnOn(port);
    let stderr = '';
    proc.stderr?.on('data', (c) => (stderr += String(c)));
    try {
      await waitForPort(port, 10_000, () => proc.exitCode === null);
    } catch (e) {
      lastError = `${(e as Error).message}\n${stderr}\n${safeRead(logs.error)}`;
      proc.kill('SIGKILL');
      if (/address already in use/i.test(lastError)) continue;
      break;
    }
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dir,
      errorLog: () => `${stderr}${safeRead(logs.error)}`,
      accessLog: () => (logs.access ? safeRead(logs.access) : ''),
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill(stopSignal);
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${name} did not start: ${lastError}`);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * `GET path` written byte for byte on a socket, so header names keep their
 * case, duplicates and underscores and malformed lines go out as they are
 * (fetch and node:http would fold, merge or refuse them). `lines` follow
 * Host, each without its CRLF; the answer is read to the end of the
 * connection (chunked bodies decoded).
 */
export function rawGet(base: string, path: string, lines: readonly string[]): Promise<RawAnswer> {
  const { hostname, port, host } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      // write, not end: nginx takes a half-closed connection for a client that left (499).
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to GET ${path} from ${base}`)));
    socket.once('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = (split < 0 ? all : all.subarray(0, split)).toString('latin1');
      const rest = split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
      const body = /^transfer-encoding:\s*chunked/im.test(head) ? unchunk(rest) : rest;
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: body.toString('utf8') });
    });
  });
}

function unchunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; ;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(out);
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
