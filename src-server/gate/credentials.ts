import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { fastifyTrustProxy, type TrustProxy } from '../lib/trust-proxy.ts';
import { OWN_COOKIE_NAMES, sessionCookieOf } from '../sessions/session-cookies.ts';

/** What a request presents to the forward-auth check and the gate. */
export interface Credentials {
  /** The value of the session cookie, if any. */
  cookie?: string | undefined;
  authorization?: string | undefined;
  /** The client's address: failed personal keys are throttled per address. */
  ip: string | null;
}

/**
 * The credentials a request carries: our session cookie and its Authorization header, and where it comes from.
 * The cookie by either name (`__Host-` over HTTPS): a check from a TLS-terminating proxy arrives as plain HTTP.
 */
export function credentialsOf(headers: IncomingHttpHeaders, ip: string | null): Credentials {
  return { cookie: sessionCookieOf(headers.cookie), authorization: headers.authorization, ip };
}

/**
 * For requests that never become a Fastify request (WebSocket handshakes):
 * the client's address and scheme exactly as Fastify's `request.ip` and
 * `request.protocol` would say, under the same TRUST_PROXY.
 */
export function createClientOf(trust: TrustProxy) {
  const setting = fastifyTrustProxy(trust);
  const trusted = setting === false ? null : typeof setting === 'function' ? setting : proxyAddr.compile(setting);
  return (req: IncomingMessage): { ip: string; proto: 'http' | 'https' } => {
    const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
    if (!trusted) return { ip: req.socket.remoteAddress ?? '', proto: encrypted ? 'https' : 'http' };
    const forwardedProto = trusted(req.socket.remoteAddress ?? '', 0)
      ? String(req.headers['x-forwarded-proto'] ?? '')
          .split(',')
          .pop()
          ?.trim()
      : undefined;
    return { ip: proxyAddr(req, trusted), proto: forwardedProto === 'https' || (!forwardedProto && encrypted) ? 'https' : 'http' };
  };
}

/** Our own cookies, which no upstream app has any business seeing. */
export const OWN_COOKIES = OWN_COOKIE_NAMES;
