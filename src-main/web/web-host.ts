import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleErrorCode, Result } from '../../src-shared/console-errors.ts';
import type { Dispatch } from '../bridge/dispatch.ts';
import { isConsoleMethod } from '../bridge/dispatch.ts';
import { hostAllowed, newConsoleToken, originAllowed, tokenHeader, tokenMatches } from './guards.ts';
import { BodyTooLarge, MAX_BODY_BYTES, readBody } from './read-body.ts';

/** An import carries its file (at most 8 MiB, in base64); every other call stays within 1 MiB. */
const IMPORT_BODY_BYTES = 12 * 1024 * 1024;
import { createStaticHandler } from './static-files.ts';

export interface WebHostOptions {
  dispatch: Dispatch;
  /** The built renderer (out/renderer); a placeholder page is served while it has no index.html. */
  rendererDir: string;
  /** Loopback only: the bridge is an admin console's whole power. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The bridge token; by default a new one. Web mode passes the one it keeps in the data folder (see keep-place.ts). */
  token?: string;
}

export interface WebHost {
  /** What to open: `http://127.0.0.1:PORT/?token=...`. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, result: Result<unknown>) {
  const body = JSON.stringify(result);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

const refuse = (res: ServerResponse, status: number, message: string, code: ConsoleErrorCode = 'FORBIDDEN') =>
  answer(res, status, { ok: false, error: { code, message } });

/**
 * Web mode: the renderer and the bridge (`POST /bridge/<method>`, JSON params
 * in, a `Result` out) on a loopback port. Every request passes the Host and
 * Origin checks; every bridge call also needs the console's token in the
 * `x-console-token` header. A custom header also means a cross-site page
 * cannot send a bridge call without a CORS preflight, which this host never
 * grants.
 */
export async function createWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? newConsoleToken();
  const serveStatic = createStaticHandler(opts.rendererDir);
  let port = 0;

  const bridge = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return refuse(res, 405, 'Bridge calls are POST requests.', 'VALIDATION');
    }
    if (!tokenMatches(token, tokenHeader(req))) return refuse(res, 401, 'This page has no valid console token: open the URL web mode printed.', 'UNAUTHORIZED');
    let raw: unknown;
    const limit = method === 'startImport' ? IMPORT_BODY_BYTES : MAX_BODY_BYTES;
    try {
      raw = JSON.parse((await readBody(req, limit)).toString('utf8'));
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // The rest of an oversized body is never read: close instead of draining it.
        res.setHeader('connection', 'close');
        return refuse(res, 413, `The request is larger than ${limit / 1024 / 1024} MiB.`, 'VALIDATION');
      }
      return refuse(res, 400, 'The request body is not JSON.', 'VALIDATION');
    }
    const result = await opts.dispatch(method, raw);
    answer(res, isConsoleMethod(method) ? 200 : 404, result);
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (!hostAllowed(req, port)) return refuse(res, 421, 'This console only answers to 127.0.0.1 or localhost on its own port.');
      if (!originAllowed(req)) return refuse(res, 403, 'Requests from other sites are refused.');
      const pathname = (req.url ?? '/').split('?')[0] ?? '/';
      if (pathname === '/bridge' || pathname.startsWith('/bridge/')) return bridge(req, res, pathname.slice('/bridge/'.length));
      return serveStatic(req, res, pathname);
    })().catch((err: unknown) => {
      process.stderr.write(`web host: ${err instanceof Error ? err.message : String(err)}\n`);
      if (!res.headersSent) refuse(res, 500, 'The console host failed on this request.', 'INTERNAL');
      else res.destroy();
    });
  });
  // A refused request may still be sending its body; stop reading and close.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
