import type { Kysely, Transaction } from 'kysely';
import type { Database, KeyRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { hmacSha256Hex, randomSecret, randomToken, safeEqual } from '../lib/crypto.ts';
import { AppError } from '../errors.ts';
import type { NewPersonalKey, Page, PersonalKey } from '../../src-shared/domain.ts';
import type { KeysRepo } from './keys-repo.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';

type Q = Kysely<Database> | Transaction<Database>;

export const DEFAULT_KEY_NAME = 'default';
const PREFIX_LENGTH = 6;
/** Key ids are ours (randomToken): anything else is refused before it reaches a query. */
const KEY_ID = /^[A-Za-z0-9]{1,64}$/;
/** last_used_at is written at most this often per key, so API traffic does not turn every read into a write. */
const TOUCH_INTERVAL_MS = 60_000;

export function toPersonalKey(row: KeyRow, now: Date): PersonalKey {
  const expired = row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime();
  return {
    id: row.id,
    name: row.name,
    prefix: row.secret_prefix,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    is_active: row.revoked_at === null && !expired,
  };
}

/**
 * Parse Graphistry's `Authorization: PersonalKey <id>:<secret>` header, the
 * one parser for the key exchange and for API calls alike. Null when the
 * header is absent, of another scheme, or malformed.
 */
/** Is this a key id as we make them (randomToken(16))? Anything else is never looked up nor recorded. */
export function isKeyId(id: string): boolean {
  return /^[A-Za-z0-9]{16}$/.test(id);
}

export function parsePersonalKeyHeader(header: string | undefined): { id: string; secret: string } | null {
  const m = header ? /^PersonalKey\s+([^:\s]+):(\S+)\s*$/i.exec(header) : null;
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export interface KeysServiceDeps {
  db: Pick<Db, 'read' | 'write'>;
  repo: KeysRepo;
  clock: Clock;
  pepper: Buffer;
  audit: AuditService;
  writes: PrivilegedWrites;
  /** MAX_KEYS_PER_USER: usable keys one user may hold at once. */
  maxPerUser: number;
}

/** Most keys on one page of a key list (API and dashboard). */
export const MAX_KEYS_PAGE_SIZE = 500;

export function createKeysService(deps: KeysServiceDeps) {
  const { db, repo, clock, pepper, audit, writes, maxPerUser } = deps;
  // Large enough that a client which does not page (the console's key screen) gets every usable key on its first page.
  const defaultPageSize = Math.min(MAX_KEYS_PAGE_SIZE, Math.max(100, maxPerUser));
  const digest = (id: string, secret: string) => hmacSha256Hex(pepper, `${id}:${secret}`);
  // Compared against when the id is unknown, so both failures cost the same.
  const dummyDigest = digest('unknown', 'unknown');

  return {
    digest,
    /**
     * Mint a key for a user. The secret is returned here and nowhere else;
     * only its keyed hash is stored.
     */
    async create(q: Q, actor: Actor, user: { id: number; username: string }, opts: { name?: string; expiresAt?: Date | null } = {}): Promise<NewPersonalKey> {
      const now = clock.now();
      const id = randomToken(16);
      const secret = randomSecret(32);
      const row: KeyRow = {
        id,
        user_id: user.id,
        name: opts.name ?? DEFAULT_KEY_NAME,
        secret_hash: digest(id, secret),
        secret_prefix: secret.slice(0, PREFIX_LENGTH),
        created_at: now.toISOString(),
        last_used_at: null,
        expires_at: opts.expiresAt ? opts.expiresAt.toISOString() : null,
        revoked_at: null,
      };
      if (opts.expiresAt && opts.expiresAt.getTime() <= now.getTime()) {
        throw new AppError('VALIDATION', 'The expiry must be in the future.', { fields: [{ field: 'expires_at', message: 'must be in the future' }] });
      }
      // Counted in the caller's transaction, which holds the accounts lock, so racing creates cannot pass the limit together.
      // Unbounded keys made one user's dashboard 2.5 MB at 12,000 keys; revoked and expired keys do not count.
      if ((await repo.countUsable(q, user.id, now.toISOString())) >= maxPerUser) {
        throw new AppError(
          'KEY_LIMIT_REACHED',
          `“${user.username}” already has ${maxPerUser} usable personal keys, the most this server allows: revoke one before creating another.`,
        );
      }
      await repo.insert(q, row);
      await audit.record(
        actor,
        {
          action: 'key.create',
          targetType: 'user',
          targetId: user.id,
          target: user.username,
          detail: { key_id: id, name: row.name, expires_at: row.expires_at },
        },
        q,
      );
      return { key: toPersonalKey(row, now), id, secret, authorization: `PersonalKey ${id}:${secret}` };
    },

    /** `create` in its own transaction, for callers that are not already in one. */
    async issue(actor: Actor, user: { id: number; username: string }, opts: { name?: string; expiresAt?: Date | null } = {}): Promise<NewPersonalKey> {
      return writes.run(actor, (trx) => this.create(trx, actor, user, opts));
    },

    /** Every key of a user, newest first (the command line's `keys list`). */
    async list(userId: number): Promise<PersonalKey[]> {
      const now = clock.now();
      return (await repo.forUser(db.read, userId)).map((r) => toPersonalKey(r, now));
    },

    /** One page of a user's keys, usable ones first; `pageSize` defaults to one that holds every usable key. */
    async page(userId: number, opts: { page?: number | undefined; pageSize?: number | undefined } = {}): Promise<Page<PersonalKey>> {
      const now = clock.now();
      const page = opts.page ?? 1;
      const pageSize = Math.min(opts.pageSize ?? defaultPageSize, MAX_KEYS_PAGE_SIZE);
      const [count, rows] = await Promise.all([
        repo.countForUser(db.read, userId),
        repo.pageForUser(db.read, userId, { now: now.toISOString(), limit: pageSize, offset: (page - 1) * pageSize }),
      ]);
      return { count, page, page_size: pageSize, results: rows.map((r) => toPersonalKey(r, now)) };
    },

    /** One key of a user, or null (the dashboard's revoke confirmation). */
    async get(userId: number, keyId: string): Promise<PersonalKey | null> {
      if (!KEY_ID.test(keyId)) return null;
      const row = await repo.byId(db.read, keyId);
      return row && row.user_id === userId ? toPersonalKey(row, clock.now()) : null;
    },

    async revoke(actor: Actor, user: { id: number; username: string }, keyId: string): Promise<PersonalKey> {
      if (!KEY_ID.test(keyId)) throw new AppError('KEY_NOT_FOUND', 'No such key for this user.');
      return writes.run(actor, async (trx) => {
        const existing = await repo.byId(trx, keyId);
        if (!existing || existing.user_id !== user.id) throw new AppError('KEY_NOT_FOUND', 'No such key for this user.');
        if (existing.revoked_at) return toPersonalKey(existing, clock.now());
        const row = await repo.revoke(trx, user.id, keyId, clock.now().toISOString());
        if (!row) throw new AppError('KEY_NOT_FOUND', 'No such key for this user.');
        await audit.record(actor, { action: 'key.revoke', targetType: 'user', targetId: user.id, target: user.username, detail: { key_id: keyId } }, trx);
        return toPersonalKey(row, clock.now());
      });
    },

    /**
     * Check a presented id and secret. Every failure (unknown id, wrong
     * secret, revoked, expired) returns null: callers answer one generic 401.
     */
    async authenticate(id: string, secret: string): Promise<KeyRow | null> {
      if (!KEY_ID.test(id) || secret.length > 256) return null;
      const row = await repo.byId(db.read, id);
      const ok = safeEqual(row?.secret_hash ?? dummyDigest, digest(id, secret));
      if (!row || !ok) return null;
      const now = clock.now();
      if (row.revoked_at) return null;
      if (row.expires_at && Date.parse(row.expires_at) <= now.getTime()) return null;
      if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
        await repo.touch(db.write, row.id, now.toISOString());
      }
      return row;
    },

    /** Is a key (named in a JWT it minted) still usable right now? */
    async isUsable(id: string): Promise<boolean> {
      return (await this.usableUntil(id)) !== null;
    },

    /** Until when a key stays usable (ms since the epoch; Infinity when it never expires), or null when it is not usable now. */
    async usableUntil(id: string): Promise<number | null> {
      const row = await repo.byId(db.read, id);
      if (!row || row.revoked_at) return null;
      const until = row.expires_at ? Date.parse(row.expires_at) : Infinity;
      return until <= clock.now().getTime() ? null : until;
    },
  };
}
export type KeysService = ReturnType<typeof createKeysService>;
