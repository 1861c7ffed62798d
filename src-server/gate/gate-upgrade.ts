import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../lib/clock.ts';
import type { ForwardAuthService } from './forward-auth-service.ts';
import { allows } from './identity.ts';
import { createClientOf, credentialsOf } from './credentials.ts';
import type { TrustProxy } from '../lib/trust-proxy.ts';
import { loginUrl, refusals, type Refusal } from './refusals.ts';
import { isCrossSite, upstreamHeaders } from './upstream-headers.ts';
import type { Upstream } from './upstream.ts';
import { openTunnel, type Tunnel } from './ws-tunnel.ts';

/** Open WebSockets are re-checked this often (and at once when a check in this process sees access change). */
export const SWEEP_MS = 1000;
/** RFC 6455 §7.4.1: 1008 policy violation; 1001 going away (server shutting down). */
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;

interface Open {
  tunnel: Tunnel;
  request: IncomingMessage;
  ip: string;
  revision: number;
  until: number;
}

/** Write a whole HTTP answer on a socket that never reached Fastify (a refused WebSocket handshake), then close it. */
export function writeRefusal(socket: Duplex, r: Refusal): void {
  const body = Buffer.from(r.body, 'utf8');
  const head = Object.entries({ ...r.headers, 'content-length': String(body.length), connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\n${head}\r\n${r.body}`);
}

/**
 * WebSocket handshakes under the gate's prefixes: the same check as every
 * HTTP request (staff only, cookie or token), then bytes both ways. Each open
 * WebSocket is re-checked whenever access changes anywhere (the access
 * revision moves) and when its identity's own deadline passes, and closed
 * with 1008 once its user may no longer be there.
 */
export function createGateUpgrades(deps: {
  upstreams: Upstream[];
  forwardAuth: ForwardAuthService;
  clock: Clock;
  trustProxy: TrustProxy;
  log: FastifyBaseLogger;
  sweepMs?: number;
}) {
  const { upstreams, forwardAuth, clock, log } = deps;
  const open = new Set<Open>();
  const clientOf = createClientOf(deps.trustProxy);
  let sweeping: Promise<void> | null = null;
  let again = false;

  async function sweepOnce(): Promise<void> {
    const revision = await forwardAuth.revision();
    const now = clock.now().getTime();
    for (const o of [...open]) {
      if (o.tunnel.closed || (o.revision === revision && now < o.until)) continue;
      const found = await forwardAuth.identify(credentialsOf(o.request.headers, o.ip));
      if (found && allows(found.identity, 'staff')) Object.assign(o, { revision: found.revision, until: found.until });
      else {
        log.info({ url: o.request.url?.split('?')[0] }, 'gate: access ended, closing WebSocket');
        o.tunnel.close(POLICY_VIOLATION, 'Access revoked');
      }
    }
  }

  function sweep(): void {
    if (open.size === 0) return;
    if (sweeping) {
      again = true;
      return;
    }
    sweeping = sweepOnce()
      .catch((err: unknown) => log.error({ err }, 'gate: re-checking open WebSockets failed'))
      .finally(() => {
        sweeping = null;
        if (again) {
          again = false;
          sweep();
        }
      });
  }

  const timer = setInterval(sweep, deps.sweepMs ?? SWEEP_MS);
  timer.unref();
  const unsubscribe = forwardAuth.onRevisionChange(() => setImmediate(sweep));

  async function handle(upstream: Upstream, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const client = clientOf(req);
    const found = await forwardAuth.identify(credentialsOf(req.headers, client.ip));
    if (!found) return writeRefusal(socket, refusals.unauthenticated(loginUrl(req.url)));
    if (!allows(found.identity, 'staff')) return writeRefusal(socket, refusals.forbidden('staff', found.identity.username, false));
    if (found.identity.credential === 'cookie' && isCrossSite(req.headers)) return writeRefusal(socket, refusals.crossSite(false));

    const up = upstream.upgrade(req.url ?? '/', upstreamHeaders(req.headers, found.identity, client, true));
    const abandon = () => up.destroy();
    socket.once('close', abandon);
    up.on('error', (err) => {
      log.warn({ gate: upstream.gate.name, err: err.message }, 'gate: upstream WebSocket unavailable');
      if (!socket.destroyed) writeRefusal(socket, refusals.upstreamDown(upstream.gate.name, upstream.gate.prefix, false));
    });
    // The upstream refused the handshake: pass its answer on as it is.
    up.on('response', (answer) => {
      socket.write(`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n${rawHead(answer.rawHeaders)}\r\n`);
      answer.pipe(socket);
    });
    up.on('upgrade', (answer, upSocket, upHead) => {
      socket.off('close', abandon);
      if (socket.destroyed) return void upSocket.destroy();
      socket.write(`HTTP/1.1 101 ${answer.statusMessage || 'Switching Protocols'}\r\n${rawHead(answer.rawHeaders)}\r\n`);
      for (const s of [socket, upSocket]) (s as Duplex & { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      const entry: Open = { request: req, ip: client.ip, revision: found.revision, until: found.until, tunnel: null as unknown as Tunnel };
      entry.tunnel = openTunnel(socket, upSocket, upHead, head, () => open.delete(entry));
      open.add(entry);
    });
  }

  return {
    /** For `server.on('upgrade')`. Returns false when the path is under no gate (the caller answers). */
    handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const path = req.url ?? '/';
      const upstream = upstreams.find((u) => path.startsWith(u.gate.prefix));
      if (!upstream || req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') return false;
      socket.on('error', () => socket.destroy());
      handle(upstream, req, socket, head).catch((err: unknown) => {
        log.error({ err }, 'gate: WebSocket handshake failed');
        if (!socket.destroyed)
          writeRefusal(socket, {
            status: 500,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'INTERNAL', message: 'Internal server error.' }),
          });
      });
      return true;
    },
    /** Open WebSockets right now (for tests and logs). */
    get openCount(): number {
      return open.size;
    },
    /** Server shutdown: every open WebSocket gets 1001. */
    close(): void {
      clearInterval(timer);
      unsubscribe();
      for (const o of open) o.tunnel.close(GOING_AWAY, 'Server shutting down');
    },
  };
}
export type GateUpgrades = ReturnType<typeof createGateUpgrades>;

function rawHead(rawHeaders: string[]): string {
  let out = '';
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return out;
}
