import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 256 random bits, URL-safe: it travels in the printed URL's query string, and is kept across launches in web-host.json (see keep-place.ts). */
export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so that neither the
 * length nor any prefix of the real token shows in the timing.
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * The Host header must name this listener exactly. A DNS-rebinding page
 * reaches 127.0.0.1 under its own name (evil.example:PORT), so anything else
 * is refused before the request is looked at.
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * An Origin header, when a browser sends one, must be this host's own origin
 * (same scheme, name and port as the Host it was sent to). `null` (sandboxed
 * frames, opaque origins) is not ours either.
 */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${req.headers.host ?? ''}`;
}

/** The token header, when sent exactly once. */
export function tokenHeader(req: IncomingMessage): string | undefined {
  const v = req.headers['x-console-token'];
  return typeof v === 'string' ? v : undefined;
}
