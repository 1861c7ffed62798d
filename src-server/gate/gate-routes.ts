import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { ForwardAuthService } from './forward-auth-service.ts';
import { allows } from './identity.ts';
import { credentialsOf } from './credentials.ts';
import { isNavigation, loginUrl, refusals } from './refusals.ts';
import { isCrossSite, upstreamHeaders } from './upstream-headers.ts';
import { sendRefusal } from './forward-auth-routes.ts';
import { createGateUpgrades } from './gate-upgrade.ts';
import { createUpstream, type Upstream } from './upstream.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface GateDeps {
  config: Pick<ServerConfig, 'gates' | 'trustProxy'>;
  forwardAuth: ForwardAuthService;
  clock: Clock;
}

/**
 * The built-in gate: every request under a gate's prefix is checked (staff
 * only) and then streamed to its service with the gate's own identity
 * headers; WebSocket handshakes get the same check (gate-upgrade.ts).
 * Anonymous browsers are sent to sign-in and back; a service that does not
 * answer gets a 502 page that says so.
 */
export async function installGate(app: FastifyInstance, s: GateDeps): Promise<void> {
  const upstreams = s.config.gates.map(createUpstream);
  if (upstreams.length === 0) return;
  const upgrades = createGateUpgrades({ upstreams, forwardAuth: s.forwardAuth, clock: s.clock, trustProxy: s.config.trustProxy, log: app.log });
  app.server.on('upgrade', (req, socket, head) => {
    if (upgrades.handle(req, socket, head)) return;
    // Anything else that asks to upgrade (a proxy's forward-auth request copying a WebSocket
    // handshake's headers to /auth/check, a handshake to a page) is answered as the request it
    // also is, as Node does when nobody listens for upgrades; then the connection closes.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    app.routing(req, res);
  });
  // Before the server closes: it waits for every connection to end, upgraded ones included.
  app.addHook('preClose', async () => {
    upgrades.close();
  });
  app.addHook('onClose', async () => {
    for (const u of upstreams) u.close();
  });
  await app.register(async (scope) => {
    // Bodies stream through untouched (and unlimited by the API's 64 KiB): the services behind take uploads.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    for (const upstream of upstreams) routesFor(scope, s, upstream);
  });
}

function routesFor(app: FastifyInstance, s: GateDeps, upstream: Upstream): void {
  const { gate } = upstream;
  const bare = gate.prefix.slice(0, -1);
  app.all(bare, async (request, reply) => reply.redirect(gate.prefix + searchOf(request), 301));
  // Not in the OpenAPI document: what is behind a gate answers for itself.
  app.all(
    `${gate.prefix}*`,
    { schema: { summary: `${gate.name}: staff only, proxied to the service`, tags: ['gate'], hide: true } },
    async (request, reply) => {
      const headers = request.headers;
      const page = isNavigation(request.method, headers);
      const found = await s.forwardAuth.identify(credentialsOf(headers, request.ip));
      if (!found) {
        const url = loginUrl(request.url);
        return sendRefusal(reply, page ? refusals.redirectToLogin(url) : refusals.unauthenticated(url));
      }
      if (!allows(found.identity, 'staff')) return sendRefusal(reply, refusals.forbidden('staff', found.identity.username, page));
      if (found.identity.credential === 'cookie' && !SAFE_METHODS.has(request.method) && isCrossSite(headers))
        return sendRefusal(reply, refusals.crossSite(page));
      reply.hijack();
      // A service may take its time to answer (a long computation): no idle cut-off while it does.
      request.raw.socket.setTimeout(0);
      const forwarded = upstreamHeaders(headers, found.identity, { ip: request.ip, proto: request.protocol === 'https' ? 'https' : 'http' }, false);
      upstream.forward(request.raw, reply.raw, forwarded, (err) => {
        request.log.warn({ gate: gate.name, err: err.message }, 'gate: upstream unavailable');
        const r = refusals.upstreamDown(gate.name, gate.prefix, page, request.url);
        reply.raw.writeHead(r.status, r.headers).end(r.body);
      });
      return reply;
    },
  );
}

function searchOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? '' : request.url.slice(q);
}
