import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { GateIdentity } from './identity.ts';
import { identityHeaders, isForgeable } from './identity-headers.ts';
import { OWN_COOKIES } from './credentials.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) never cross a proxy. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Names listed in `Connection` are hop-by-hop for this message too. */
function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  return new Set(
    value
      ? value
          .toLowerCase()
          .split(',')
          .map((t) => t.trim())
      : [],
  );
}

function withoutOwnCookies(cookie: string): string {
  return cookie
    .split(/;\s*/)
    .filter((pair) => !OWN_COOKIES.includes(pair.slice(0, pair.indexOf('=')).trim()))
    .join('; ');
}

export interface ClientInfo {
  /** The client's address as this server determined it. */
  ip: string;
  proto: 'http' | 'https';
}

/**
 * Headers for the upstream request: the client's own, minus hop-by-hop,
 * identity headers in any spelling and every name with `_` (isForgeable),
 * our session cookies and (when it is what proved the identity) our
 * Authorization; plus the gate's Remote-* (identityHeaders) and
 * X-Forwarded-*. Host is kept, so apps that compare Origin with Host
 * (Jupyter's WebSocket check) see the name the browser used.
 */
export function upstreamHeaders(incoming: IncomingHttpHeaders, identity: GateIdentity, client: ClientInfo, websocket: boolean): OutgoingHttpHeaders {
  const drop = connectionTokens(incoming);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || isForgeable(name) || name === 'forwarded' || name.startsWith('x-forwarded-')) continue;
    if (name === 'authorization' && identity.credential === 'authorization') continue;
    if (name === 'cookie') {
      const kept = withoutOwnCookies(String(value));
      if (kept) out.cookie = kept;
      continue;
    }
    out[name] = value;
  }
  // An empty value (Remote-Groups of a user in no group) is left out, as nginx's proxy_set_header does.
  for (const [name, value] of Object.entries(identityHeaders(identity))) if (value) out[name] = value;
  out['x-forwarded-for'] = client.ip;
  out['x-forwarded-proto'] = client.proto;
  if (incoming.host) out['x-forwarded-host'] = incoming.host;
  if (websocket) {
    out.connection = 'Upgrade';
    out.upgrade = 'websocket';
  }
  return out;
}

/** Response headers from upstream, as a flat [name, value, ...] list (keeps repeated Set-Cookie), without hop-by-hop ones. */
export function downstreamHeaders(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i]!.toLowerCase())) out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** Did a cookie-authenticated request come from a page of another site? Browsers always send Origin on WebSockets and cross-site writes. */
export function isCrossSite(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true; // "null" (sandboxed or privacy-redirected pages) proves nothing, so it is refused
  }
}
