import type { SessionRow, UserRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { hmacSha256Hex, randomSecret, safeEqual, sha256Hex } from '../lib/crypto.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { SessionsRepo } from './sessions-repo.ts';

/** last_seen_at is written at most this often, so page views do not all turn into writes. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ActiveSession {
  idHash: string;
  row: SessionRow;
  user: UserRow;
  /** The CSRF token for forms rendered in this session. */
  csrf: string;
}

/**
 * Server-side cookie sessions for the server's own pages. The cookie holds a
 * 256-bit random value; the database holds only its sha256. A session ends at
 * sign-out, after `idleSeconds` unused, after `absoluteSeconds` in all, when
 * the user is deactivated, or when their password changes elsewhere.
 */
export function createSessionsService(deps: {
  db: Pick<Db, 'read' | 'write'>;
  repo: SessionsRepo;
  users: UsersRepo;
  clock: Clock;
  secretKey: Buffer;
  idleSeconds: number;
  absoluteSeconds: number;
}) {
  const { db, repo, users, clock, secretKey, idleSeconds, absoluteSeconds } = deps;
  const csrfFor = (scope: string, id: string) => hmacSha256Hex(secretKey, `csrf/v1/${scope}:${id}`);

  return {
    /** A brand-new session for a user who just proved who they are (never reuses a presented id). */
    async start(user: UserRow, ip: string | null): Promise<{ cookie: string; session: ActiveSession }> {
      const cookie = randomSecret(32);
      const now = clock.now();
      const row: SessionRow = {
        id_hash: sha256Hex(cookie),
        user_id: Number(user.id),
        auth_epoch: user.auth_epoch,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: new Date(now.getTime() + absoluteSeconds * 1000).toISOString(),
        client_ip: ip?.slice(0, 64) ?? null,
      };
      await repo.removeExpired(db.write, now.toISOString());
      await repo.insert(db.write, row);
      return { cookie, session: { idHash: row.id_hash, row, user, csrf: csrfFor('session', row.id_hash) } };
    },

    /** The live session behind a cookie value, or null (and the dead row is removed). */
    async resolve(cookie: string | undefined): Promise<ActiveSession | null> {
      if (!cookie || cookie.length > 128) return null;
      const idHash = sha256Hex(cookie);
      const row = await repo.byHash(db.read, idHash);
      if (!row) return null;
      const now = clock.now().getTime();
      const idleOver = now - Date.parse(row.last_seen_at) >= idleSeconds * 1000;
      const user = await users.byId(db.read, row.user_id);
      if (now >= Date.parse(row.expires_at) || idleOver || !user || !bool(user.is_active) || user.auth_epoch !== row.auth_epoch) {
        await repo.remove(db.write, idHash);
        return null;
      }
      let seen = row;
      if (now - Date.parse(row.last_seen_at) > TOUCH_INTERVAL_MS) {
        seen = { ...row, last_seen_at: new Date(now).toISOString() };
        await repo.touch(db.write, idHash, seen.last_seen_at);
      }
      return { idHash, row: seen, user, csrf: csrfFor('session', idHash) };
    },

    /** When this session ends if nothing else happens: its absolute end or its idle end, whichever is first (ms). */
    endsAt(session: ActiveSession): number {
      return Math.min(Date.parse(session.row.expires_at), Date.parse(session.row.last_seen_at) + idleSeconds * 1000);
    },

    async end(cookie: string | undefined): Promise<void> {
      if (cookie && cookie.length <= 128) await repo.remove(db.write, sha256Hex(cookie));
    },

    /** After a password change: keep this session (at the new epoch), end every other one. */
    async keepOnly(session: ActiveSession, newEpoch: number): Promise<void> {
      await repo.setEpoch(db.write, session.idHash, newEpoch);
      await repo.removeForUser(db.write, Number(session.user.id), session.idHash);
    },

    checkSessionCsrf(session: ActiveSession, given: unknown): boolean {
      return typeof given === 'string' && safeEqual(given, session.csrf);
    },

    /** Forms shown before sign-in are bound to a random pre-session cookie (double submit, keyed). */
    anonymousCsrf(preCookie: string): string {
      return csrfFor('anonymous', preCookie);
    },
    checkAnonymousCsrf(preCookie: string | undefined, given: unknown): boolean {
      return Boolean(preCookie) && preCookie!.length <= 128 && typeof given === 'string' && safeEqual(given, csrfFor('anonymous', preCookie!));
    },
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
