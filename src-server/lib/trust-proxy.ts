import { isIP } from 'node:net';

/**
 * Which `X-Forwarded-For` entries to believe (`TRUST_PROXY`). Each proxy
 * appends the address it received the request from, so only entries added by
 * our own proxies can be trusted, counted from the right; the leftmost entry
 * is whatever the client chose to send. As in Express and Fastify, either a
 * number of proxy hops in front of the server or the proxies' addresses:
 *
 * - `false` / `0` (default): the socket's peer is the client; headers ignored.
 * - `1`, `2`, …: that many proxies in front; the client is that many entries
 *   from the right. `true` means `1`: one reverse proxy, the usual set-up.
 *   Only safe when the server cannot be reached except through them.
 * - `10.0.0.0/8,::1` (addresses, CIDRs, or `loopback` / `linklocal` /
 *   `uniquelocal`): the client is the rightmost address that is not one of them.
 *
 * `X-Forwarded-Proto` and `X-Forwarded-Host` are believed only from a trusted peer.
 */
export type TrustProxy = false | { hops: number } | { proxies: string[] };

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
export const MAX_PROXY_HOPS = 16;

/** Parse TRUST_PROXY; throws an Error whose message says what is wrong. */
export function parseTrustProxy(raw: unknown): TrustProxy {
  if (raw === false || raw === undefined || raw === null) return false;
  if (raw === true) return { hops: 1 };
  if (typeof raw === 'number') return hops(raw);
  if (typeof raw !== 'string') throw new Error('must be false, a number of proxy hops, or a list of proxy addresses');
  const text = raw.trim();
  if (/^(false|no|off)$/i.test(text)) return false;
  if (/^(true|yes|on)$/i.test(text)) return { hops: 1 };
  if (/^\d+$/.test(text)) return hops(Number(text));
  const proxies = text.split(',').map((p) => p.trim());
  const bad = proxies.filter((p) => !isProxyEntry(p));
  if (bad.length)
    throw new Error(`not an IP address, CIDR range or loopback/linklocal/uniquelocal: ${bad.map((b) => JSON.stringify(b.slice(0, 60))).join(', ')}`);
  return { proxies };
}

function hops(n: number): TrustProxy {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PROXY_HOPS) throw new Error(`a number of proxy hops must be a whole number from 0 to ${MAX_PROXY_HOPS}`);
  return n === 0 ? false : { hops: n };
}

function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

/**
 * Fastify's `trustProxy` for a parsed setting. A hop count becomes a function:
 * Fastify reads a bare number as "trust nothing", and `true` would believe
 * the leftmost, client-chosen entry.
 */
export function fastifyTrustProxy(tp: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (tp === false) return false;
  if ('proxies' in tp) return tp.proxies;
  const n = tp.hops;
  return (_address, hop) => hop < n;
}
