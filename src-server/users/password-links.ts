import type { Kysely, Transaction } from 'kysely';
import type { Database, PasswordLinkRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { hmacSha256Hex, randomSecret } from '../lib/crypto.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import { assertPassword } from '../lib/password-policy.ts';
import { AppError } from '../errors.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { MAX_INVITATION_TOKEN_LENGTH } from '../invitations/invitation-tokens.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** How long a set-password link works unless the caller says otherwise. */
export const PASSWORD_LINK_DAYS = 7;
export const passwordLinkPath = (token: string) => `/set-password/${token}/`;

export type PasswordLinkState = 'valid' | 'used' | 'expired' | 'unknown';

export interface PasswordLinksDeps {
  db: Pick<Db, 'read'>;
  clock: Clock;
  hasher: PasswordHasher;
  audit: AuditService;
  writes: PrivilegedWrites;
  secretKey: Buffer;
  passwordMinLength: number;
}

/** What each state says on the page, as a sentence the person can act on. */
export const PASSWORD_LINK_REFUSALS: Record<Exclude<PasswordLinkState, 'valid'>, string> = {
  used: 'This link has already been used to set a password. Each link works once: sign in with the password you chose, or ask an administrator for a new link.',
  expired: 'This link has expired. Ask an administrator for a new one.',
  unknown: 'This link is not valid. Check that you copied all of it.',
};

/**
 * One-time links with which the person of an account made without a
 * password (an import) chooses one. The token is 256 random bits; the
 * database keeps only its HMAC under `.env`'s general secret, domain-separated
 * from invitations', so a leaked row cannot be turned back into a link.
 *
 * @example
 * const { path } = await links.mint(trx, user.id); // inside the write that made the account
 * await links.use(token, 'a new long password', ip); // from /set-password/<token>/
 */
export function createPasswordLinks(deps: PasswordLinksDeps) {
  const { db, clock, hasher, audit, writes, secretKey, passwordMinLength } = deps;
  const hash = (token: string) => hmacSha256Hex(secretKey, `password-link:${token}`);
  const find = (q: Q, token: string): Promise<PasswordLinkRow | undefined> =>
    token.length === 0 || token.length > MAX_INVITATION_TOKEN_LENGTH
      ? Promise.resolve(undefined)
      : q.selectFrom('password_links').selectAll().where('token_hash', '=', hash(token)).executeTakeFirst();
  const stateOf = (row: PasswordLinkRow | undefined, now: string): PasswordLinkState =>
    !row ? 'unknown' : row.used_at ? 'used' : row.expires_at <= now ? 'expired' : 'valid';

  return {
    /** A new link for `userId`, written with the caller's transaction; the token is returned here only. */
    async mint(q: Q, userId: number, days = PASSWORD_LINK_DAYS): Promise<{ token: string; path: string; expires_at: string }> {
      const token = randomSecret(32);
      const now = clock.now();
      const expires_at = new Date(now.getTime() + days * 86_400_000).toISOString();
      await q
        .insertInto('password_links')
        .values({ token_hash: hash(token), user_id: userId, created_at: now.toISOString(), expires_at, used_at: null })
        .execute();
      return { token, path: passwordLinkPath(token), expires_at };
    },

    /** What a presented token is worth now, and whose account it sets. Never throws for a bad token. */
    async inspect(token: string): Promise<{ state: PasswordLinkState; username: string | null }> {
      const row = await find(db.read, token);
      const state = stateOf(row, clock.now().toISOString());
      if (state !== 'valid' || !row) return { state, username: null };
      const user = await db.read.selectFrom('users').select('username').where('id', '=', row.user_id).executeTakeFirst();
      return user ? { state, username: user.username } : { state: 'unknown', username: null };
    },

    /**
     * Set the account's password with the link: hashed (argon2id) before the
     * lock, then the link is claimed in the UPDATE itself (of two uses racing,
     * one wins), the password set, every token of the account ended, and its
     * other links spent, in one transaction.
     */
    async use(token: string, password: string, ip: string | null): Promise<{ username: string }> {
      const found = await find(db.read, token);
      const state = stateOf(found, clock.now().toISOString());
      if (state !== 'valid' || !found)
        throw new AppError(state === 'unknown' ? 'NOT_FOUND' : 'TOKEN_EXPIRED', PASSWORD_LINK_REFUSALS[state === 'valid' ? 'unknown' : state]);
      const user = await db.read.selectFrom('users').select(['username']).where('id', '=', found.user_id).executeTakeFirst();
      if (!user) throw new AppError('NOT_FOUND', PASSWORD_LINK_REFUSALS.unknown);
      assertPassword(password, user.username, passwordMinLength);
      const passwordHash = await hasher.hash(password);
      return writes.run({ userId: found.user_id, username: user.username, ip }, async (trx) => {
        const now = clock.now().toISOString();
        const claimed = await trx
          .updateTable('password_links')
          .set({ used_at: now })
          .where('id', '=', found.id)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('id')
          .executeTakeFirst();
        if (!claimed) throw new AppError('TOKEN_EXPIRED', PASSWORD_LINK_REFUSALS.used);
        const row = await trx.selectFrom('users').select(['auth_epoch', 'username']).where('id', '=', found.user_id).executeTakeFirstOrThrow();
        await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, auth_epoch: row.auth_epoch + 1 })
          .where('id', '=', found.user_id)
          .execute();
        await trx.updateTable('password_links').set({ used_at: now }).where('user_id', '=', found.user_id).where('used_at', 'is', null).execute();
        const actor = { userId: found.user_id, username: row.username, ip };
        await audit.record(actor, { action: 'user.password', targetType: 'user', targetId: found.user_id, target: row.username, detail: { via: 'link' } }, trx);
        return { username: row.username };
      });
    },
  };
}
export type PasswordLinks = ReturnType<typeof createPasswordLinks>;
