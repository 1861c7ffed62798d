import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { fastifyTrustProxy, type TrustProxy } from '../lib/trust-proxy.ts';
import { PRESESSION_COOKIE, SESSION_COOKIE } from '../pages/pages-plugin.ts';
import type { Credentials } from './forward-auth-service.ts';

/**
 * The first value of cookie `name` in a Cookie header, without parsing the
 * rest: this runs on every forward-auth check. Our values are base64url, so
 * no quoting or decoding is involved.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const needle = `${name}=`;
  let at = header.startsWith(needle) ? 0 : header.indexOf(`; ${needle}`);
  if (at < 0) at = header.indexOf(`;${needle}`);
  if (at < 0) return undefined;
  const start = header.indexOf('=', at) + 1;
  const end = header.indexOf(';', start);
  const value = (end < 0 ? header.slice(start) : header.slice(start, end)).trim();
  return value || undefined;
}

/** The credentials a request carries: our session cookie and its Authorization header, and where it comes from. */
export function credentialsOf(headers: IncomingHttpHeaders, ip: string | null): Credentials {
  return { cookie: readCookie(headers.cookie, SESSION_COOKIE), authorization: headers.authorization, ip };
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
    const forwardedProto = trusted(req.socket.remoteAddress ?? '', 0) ? String(req.headers['x-forwarded-proto'] ?? '').split(',').pop()?.trim() : undefined;
    return { ip: proxyAddr(req, trusted), proto: forwardedProto === 'https' || (!forwardedProto && encrypted) ? 'https' : 'http' };
  };
}

/** Our own cookies, which no upstream app has any business seeing. */
export const OWN_COOKIES = [SESSION_COOKIE, PRESESSION_COOKIE];
