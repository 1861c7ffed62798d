import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../audit/audit-service.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * Writes made on someone's authority. A request's guard reads the caller's
 * roles when the request starts; a demotion (or deactivation) committed
 * between that read and the write would otherwise let the write through.
 * So every such write runs under the accounts lock, which role changes take
 * too, and re-reads its actor there: the write and the role it relied on are
 * decided against the same committed state, on SQLite and PostgreSQL alike.
 * An actor with no `requires` (the command line, a brand-new account) is not
 * re-checked.
 *
 * @example
 * await writes.run(actorOf(request), async (trx) => repo.insert(trx, row));
 */
export function createPrivilegedWrites(db: Db) {
  async function recheck(q: Q, actor: Actor): Promise<void> {
    if (!actor.requires || actor.userId === null) return;
    const row = await q.selectFrom('users').select(['is_active', 'is_superuser']).where('id', '=', actor.userId).executeTakeFirst();
    if (!row || !bool(row.is_active)) throw new AppError('UNAUTHENTICATED', 'Your account is no longer active.');
    if (actor.requires === 'superuser' && !bool(row.is_superuser)) throw new AppError('SUPERUSER_REQUIRED', 'This needs a superuser account.');
  }

  return {
    async run<T>(actor: Actor, fn: (trx: Q) => Promise<T>): Promise<T> {
      return db.withAccountsLock(async (trx) => {
        await recheck(trx, actor);
        return fn(trx);
      });
    },
  };
}
export type PrivilegedWrites = ReturnType<typeof createPrivilegedWrites>;
