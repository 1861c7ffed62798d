import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import { downstreamHeaders } from './upstream-headers.ts';
import type { GateSpec } from '../lib/gate-config.ts';

/** An upstream that does not accept the connection in this long is reported as down (502). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The connection to one service behind the gate: keep-alive requests for
 * HTTP, a fresh connection per WebSocket. Plain node:http, streaming both
 * ways, no buffering of bodies (notebook uploads can be large).
 */
export function createUpstream(gate: GateSpec) {
  const target = new URL(gate.upstream);
  const secure = target.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const base = {
    host: target.hostname.replace(/^\[|\]$/g, ''),
    port: Number(target.port) || (secure ? 443 : 80),
  };

  function request(method: string, path: string, headers: OutgoingHttpHeaders, useAgent: boolean): ClientRequest {
    const options = { ...base, method, path, headers, agent: useAgent ? agent : false, servername: secure ? target.hostname : undefined };
    const req = secure ? https.request(options) : http.request(options);
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error(`no connection to ${gate.upstream} after ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    return req;
  }

  return {
    gate,
    /**
     * Stream `req` to the upstream and its answer back into `res`. `unavailable`
     * is called, with nothing written yet, when the upstream cannot be reached.
     */
    forward(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders, unavailable: (err: Error) => void): void {
      const up = request(req.method ?? 'GET', req.url ?? '/', headers, true);
      up.on('response', (answer: IncomingMessage) => {
        try {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, downstreamHeaders(answer.rawHeaders));
        } catch (err) {
          // A header Node will not send on (invalid characters): the answer cannot be relayed.
          answer.destroy();
          return unavailable(err as Error);
        }
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      });
      up.on('error', (err) => {
        if (res.destroyed) return;
        if (res.headersSent) res.destroy(err);
        else unavailable(err);
      });
      // The client went away (or the answer is done): nothing more to send upstream.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      req.pipe(up);
    },

    /** Start the upstream half of a WebSocket handshake; the caller listens for 'upgrade', 'response' and 'error'. */
    upgrade(path: string, headers: OutgoingHttpHeaders): ClientRequest {
      const up = request('GET', path, headers, false);
      up.end();
      return up;
    },

    close(): void {
      agent.destroy();
    },
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
