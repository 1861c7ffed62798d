import type { Clock } from '../lib/clock.ts';
import { isAppError } from '../errors.ts';
import { bool, type UserRow } from '../db/schema.ts';
import type { SessionsService } from '../sessions/sessions-service.ts';
import type { TokensService } from '../tokens/tokens-service.ts';
import type { KeysService } from '../keys/keys-service.ts';
import type { AuthRevisionRepo } from './auth-revision-repo.ts';
import { createIdentityCache, type IdentityCache } from './identity-cache.ts';
import { identityHeaders } from './identity-headers.ts';
import type { GateIdentity } from './identity.ts';
import type { Credentials } from './credentials.ts';

export interface Identified {
  identity: GateIdentity;
  /** Its Remote-* headers, made once per verification (see identityHeaders). */
  headers?: Record<string, string>;
  /** The identity may be trusted without another look until then (ms), unless the access revision moves first. */
  until: number;
  /** The access revision it was verified at. */
  revision: number;
}

/** Session and personal-key entries are re-resolved this often, so they keep recording that they are in use. */
const REFRESH_MS = 60_000;
/** Our own schemes; anything else in Authorization (an upstream app's own token) is left alone. */
const OURS = /^(Bearer|PersonalKey)\s/i;

/**
 * Who is asking, for the forward-auth check and the built-in gate: the
 * session cookie of the server's pages, `Authorization: Bearer <jwt>` or
 * `Authorization: PersonalKey <id>:<secret>`, verified by the same session,
 * token and key code as everywhere else, then cached (see identity-cache.ts).
 * Identity headers that arrive with a request are never an input here.
 */
export function createForwardAuthService(deps: {
  sessions: SessionsService;
  tokens: TokensService;
  keys: KeysService;
  revision: AuthRevisionRepo;
  clock: Clock;
}) {
  const { sessions, tokens, keys, revision, clock } = deps;
  // One cache per credential kind, keyed by the header value itself: no prefixed copy of a long token to build and hash per check.
  const byAuthorization = createIdentityCache<Identified>();
  const byCookie = createIdentityCache<Identified>();
  const revisionListeners = new Set<() => void>();

  const identityOf = (user: UserRow, credential: GateIdentity['credential']): GateIdentity => ({
    userId: Number(user.id),
    username: user.username,
    email: user.email,
    isStaff: bool(user.is_staff),
    isSuperuser: bool(user.is_superuser),
    credential,
  });

  async function fromAuthorization(header: string, ip: string | null, rev: number, now: number): Promise<Identified | null> {
    try {
      const p = await tokens.authenticate(header, ip);
      let until = p.claims ? p.claims.exp * 1000 : now + REFRESH_MS;
      if (p.keyId) until = Math.min(until, (await keys.usableUntil(p.keyId)) ?? 0);
      return { identity: identityOf(p.user, 'authorization'), until, revision: rev };
    } catch (e) {
      if (isAppError(e)) return null;
      throw e;
    }
  }

  async function fromCookie(cookie: string, rev: number, now: number): Promise<Identified | null> {
    const session = await sessions.resolve(cookie);
    // A session opened only to choose the new password an administrator asked for (pages/password-change-page.ts) reaches nothing else.
    if (!session || bool(session.user.must_change_password)) return null;
    return { identity: identityOf(session.user, 'cookie'), until: Math.min(sessions.endsAt(session), now + REFRESH_MS), revision: rev };
  }

  /** Resolve `key` (not in the cache) and cache what it proves. */
  async function lookup(
    cache: IdentityCache<Identified>,
    key: string,
    rev: number,
    now: number,
    resolve: () => Promise<Identified | null>,
  ): Promise<Identified | null> {
    const found = await resolve();
    // A copy of its own: the key may be a slice of the whole Cookie header, which the cache must not keep alive.
    if (found) cache.set(Buffer.from(key, 'latin1').toString('latin1'), found, found.until, rev, now);
    return found;
  }

  return {
    /**
     * The signed-in identity behind these credentials, or null (nobody, or
     * nothing valid). The access revision is read first, on every check: a
     * change committed before the request arrived empties the caches here.
     */
    async identify(creds: Credentials): Promise<Identified | null> {
      const rev = await revision.read();
      const moved = byAuthorization.sync(rev);
      if (byCookie.sync(rev) || moved) for (const fn of revisionListeners) fn();
      const now = clock.now().getTime();
      const { authorization, cookie } = creds;
      // A valid credential of ours wins; one that fails falls back to the cookie, never to more access than the cookie has.
      if (authorization && authorization.length <= 8192 && OURS.test(authorization)) {
        const found =
          byAuthorization.get(authorization, now) ??
          (await lookup(byAuthorization, authorization, rev, now, () => fromAuthorization(authorization, creds.ip, rev, now)));
        if (found) return found;
      }
      if (!cookie) return null;
      return byCookie.get(cookie, now) ?? lookup(byCookie, cookie, rev, now, () => fromCookie(cookie, rev, now));
    },

    /** Called (synchronously, in the checking request) whenever a check sees the access revision move. */
    onRevisionChange(fn: () => void): () => void {
      revisionListeners.add(fn);
      return () => revisionListeners.delete(fn);
    },

    /** The revision read now, for sweepers that re-check long-lived connections. */
    revision: (): Promise<number> => revision.read(),
  };
}
export type ForwardAuthService = ReturnType<typeof createForwardAuthService>;

/** The identity headers of a verified identity (identity-headers.ts), made once and kept with it. */
export function headersOf(found: Identified): Record<string, string> {
  return (found.headers ??= identityHeaders(found.identity));
}
