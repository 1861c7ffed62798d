import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for the team's investigation tool behind the gate: plain
 * node:http plus a WebSocket endpoint (the `ws` package, an implementation
 * independent of the gate's), serving under a prefix like the real one. It
 * records what reached it, so tests can see which headers got through.
 *
 *   GET  <prefix>            an HTML page naming Remote-User
 *   GET  <prefix>whoami      JSON: the request headers it received, parsed and raw
 *   POST <prefix>upload      JSON: size and sha256 of the body, streamed
 *   WS   <prefix>ws          sends {hello: Remote-User}, then echoes
 *   WS   <prefix>firehose    sends 64 KiB binary messages without pause
 */
export interface StandInTool {
  url: string;
  port: number;
  /** Headers of every HTTP request and WebSocket handshake it received, oldest first. */
  seen: IncomingHttpHeaders[];
  /** Server-side ends of the open WebSockets. */
  sockets: Set<WebSocket>;
  close(): Promise<void>;
}

export async function startStandInTool(prefix = '/pivot/'): Promise<StandInTool> {
  const seen: IncomingHttpHeaders[] = [];
  const sockets = new Set<WebSocket>();
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const path = (req.url ?? '/').split('?')[0];
    if (path === `${prefix}whoami`) {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['tool_a=1; Path=/pivot/', 'tool_b=2; Path=/pivot/'] });
      res.end(JSON.stringify({ headers: req.headers, rawHeaders: req.rawHeaders, url: req.url }));
    } else if (path === `${prefix}upload` && req.method === 'POST') {
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ size, sha256: hash.digest('hex') }));
      });
    } else if (path === prefix) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>Investigations</title><h1>Investigations</h1><p id="who">${String(req.headers['remote-user'] ?? '').replace(/[^\w.@+-]/g, '')}</p>`,
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push(req.headers);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== `${prefix}ws` && path !== `${prefix}firehose`) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => ws.terminate());
      if (path === `${prefix}firehose`) {
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (ws.readyState === ws.OPEN && ws.bufferedAmount < 1024 * 1024) ws.send(chunk);
          if (ws.readyState === ws.OPEN) setTimeout(pump, 1);
        };
        pump();
        return;
      }
      ws.send(JSON.stringify({ hello: req.headers['remote-user'] ?? null }));
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    sockets,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Identity headers a client might forge, in every spelling a service could
 * read as an identity: dash or underscore (Tornado folds `Remote_User` into
 * JupyterHub's `REMOTE_USER`), any case, oauth2-proxy's `X-Auth-Request-*`,
 * the gate's own names, a value padded with spaces. Each value names its
 * header, so one that gets through says which.
 */
export const FORGED_IDENTITY: ReadonlyArray<readonly [string, string]> = [
  ...[
    'Remote-User', 'remote-user', 'REMOTE_USER', 'Remote_User', 'remote_user', 'Remote-Groups', 'Remote_Groups', 'Remote-Email', 'Remote_Email',
    'X-Forwarded-User', 'X_Forwarded_User', 'X-Auth-Request-User', 'X-Auth-Request-Access-Token', 'X_Auth_Request_Email', 'Remote-User-Id',
    'Remote_User_Id', 'Remote-User-Encoded', 'Remote-Email-Encoded', 'X-Remote-User', 'X-WEBAUTH-USER',
  ].map((name) => [name, `forged-${name}`] as const),
  ['REMOTE-USER', '   forged-padded   '],
]; // prettier-ignore

/**
 * Header lines a parser may refuse or misread: whitespace before the colon
 * (RFC 9112 §5.1 says refuse), a line folded onto the one before
 * (obs-fold; Go reads it as part of that value).
 */
export const MALFORMED_IDENTITY: readonly string[] = [
  'Remote-User : forged',
  'Remote-User\t: forged',
  'X-Note: a\r\n Remote-User: forged',
  'X-Note: a\r\n\tRemote_User: forged',
];

/**
 * Every header in `rawHeaders` (as the tool received them) that a service
 * might take an identity from, by the test's own reading: `_` read as `-`,
 * case folded, then any `Remote-*`, `X-Remote-*`, `X-Auth-Request-*`,
 * `X-Forwarded-User|Email|Groups|Preferred-Username`, `X-Webauth-*`; and any
 * name with `_` at all. As [lower-case name, value], sorted.
 */
export function identityHeadersIn(rawHeaders: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const folded = name.replaceAll('_', '-');
    if (name.includes('_') || /^(x-)?remote-|^x-auth-request-|^x-forwarded-(user|email|groups|preferred-username)$|^x-webauth-/.test(folded))
      out.push([name, rawHeaders[i + 1]!]);
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}
