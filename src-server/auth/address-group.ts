import { isIPv4, isIPv6 } from 'node:net';
import { sha256Hex } from '../lib/crypto.ts';

/**
 * The unit an address is throttled as. Counting address text let one client
 * go N times over the limit:
 *
 * - IPv6 by its /64: an ISP hands a whole /64 (usually more) to one
 *   subscriber, whose machines pick any address in it at will (RFC 4941
 *   privacy addresses, RFC 8981), so every address of a /64 is one counter.
 * - An IPv4-mapped IPv6 address (`::ffff:10.9.9.9`, what a dual-stack socket
 *   or a proxy on one reports for an IPv4 client) is that IPv4 address.
 * - IPv4 as it is: a /24 often holds unrelated customers.
 *
 * Anything else (a proxy that forwards a name, or junk) is its own group, by
 * a digest so that a long value cannot make a long key.
 *
 * @example
 * addressGroup('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * addressGroup('::ffff:10.9.9.9')      // '10.9.9.9'
 */
export function addressGroup(address: string): string {
  const text = address.trim();
  if (isIPv4(text)) return text;
  // A zone (fe80::1%eth0) names the interface, not the peer.
  const bare = text.replace(/%.*$/, '');
  if (isIPv6(bare)) {
    const words = ipv6Words(bare);
    if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`;
    return `${words
      .slice(0, 4)
      .map((w) => w.toString(16))
      .join(':')}::/64`;
  }
  return `other:${sha256Hex(text).slice(0, 32)}`;
}

/** The eight 16-bit words of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read as two words). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((w) => parseInt(w, 16));
}
