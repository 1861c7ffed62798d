import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { AppError } from '../errors.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { BulkActiveResult } from '../../src-shared/domain.ts';
import type { LifecycleAction, UserLifecycleAnswer } from '../../src-shared/lifecycle-schemas.ts';
import { hasUsablePassword, toUser, type UsersRepo } from './users-repo.ts';

export interface LifecycleDeps {
  repo: UsersRepo;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
}

/** What one action did to one user; `changed` false: it was so already (not written, not audited). */
interface Outcome {
  row: UserRow;
  changed: boolean;
  keysRevoked: number;
}

/**
 * An administrator's offboarding actions on a user, each audited in the
 * transaction that makes it:
 * - sign out everywhere: the user's auth epoch moves on, which ends every
 *   session, JWT and refresh at their next use (sessions-service.ts,
 *   tokens-service.ts compare it); their session rows go too. Personal keys
 *   keep working (a notebook's key is a separate credential the admin may
 *   keep) unless `revokeKeys`.
 * - require a password change: password sign-in is held until the user
 *   picks a new one (tokens-service.ts, pages/password-change-page.ts).
 * - revoke every usable key.
 */
export function createLifecycleService(deps: LifecycleDeps) {
  const { repo, audit, writes, clock } = deps;

  async function mustGet(q: Kysely<Database>, id: number): Promise<UserRow> {
    const row = await repo.byId(q, id);
    if (!row) throw new AppError('USER_NOT_FOUND', `No user with id ${id}.`);
    return row;
  }

  async function revokeKeys(trx: Kysely<Database>, userId: number): Promise<string[]> {
    const rows = await trx
      .updateTable('personal_keys')
      .set({ revoked_at: clock.now().toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async function apply(trx: Kysely<Database>, actor: Actor, before: UserRow, action: LifecycleAction, opts: { revokeKeys?: boolean }): Promise<Outcome> {
    const id = Number(before.id);
    const target = { targetType: 'user', targetId: id, target: before.username };
    if (action === 'sign_out') {
      const row = (await repo.update(trx, id, { auth_epoch: before.auth_epoch + 1 }))!;
      const sessions = await trx.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst();
      const keys = opts.revokeKeys ? await revokeKeys(trx, id) : [];
      const detail = { page_sign_ins_ended: Number(sessions.numDeletedRows), keys_revoked: keys.length, ...(opts.revokeKeys ? { key_ids: keys } : {}) };
      await audit.record(actor, { action: 'user.sign_out', ...target, detail }, trx);
      return { row, changed: true, keysRevoked: keys.length };
    }
    if (action === 'require_password_change') {
      if (!hasUsablePassword(before.password_hash)) {
        throw new AppError('NO_USABLE_PASSWORD', `“${before.username}” signs in only through single sign-on: there is no password to change.`);
      }
      if (bool(before.must_change_password)) return { row: before, changed: false, keysRevoked: 0 };
      const row = (await repo.update(trx, id, { must_change_password: repo.flag(true) }))!;
      await audit.record(actor, { action: 'user.require_password_change', ...target }, trx);
      return { row, changed: true, keysRevoked: 0 };
    }
    const keys = await revokeKeys(trx, id);
    if (keys.length === 0) return { row: before, changed: false, keysRevoked: 0 };
    await audit.record(actor, { action: 'user.keys_revoke_all', ...target, detail: { keys_revoked: keys.length, key_ids: keys } }, trx);
    return { row: before, changed: true, keysRevoked: keys.length };
  }

  const answer = (o: Outcome): UserLifecycleAnswer => ({
    user: toUser(o.row),
    changed: o.changed,
    must_change_password: bool(o.row.must_change_password),
    keys_revoked: o.keysRevoked,
  });

  return {
    /** One action on one user. */
    async act(actor: Actor, id: number, action: LifecycleAction, opts: { revokeKeys?: boolean } = {}): Promise<UserLifecycleAnswer> {
      return writes.run(actor, async (trx) => answer(await apply(trx, actor, await mustGet(trx, id), action, opts)));
    },

    /**
     * The same action on many users, each judged on its own (as users/set-active):
     * unknown or refused users are `failed`, the rest changed or unchanged, in one
     * transaction under the accounts lock, so the answer is exactly what committed.
     */
    async bulk(actor: Actor, ids: readonly number[], action: LifecycleAction, opts: { revokeKeys?: boolean } = {}): Promise<BulkActiveResult> {
      return writes.run(actor, async (trx) => {
        const result: BulkActiveResult = { changed: [], unchanged: [], failed: [] };
        for (const id of ids) {
          const before = await repo.byId(trx, id);
          if (!before) {
            result.failed.push({ id, code: 'USER_NOT_FOUND', message: `No user with id ${id}.` });
            continue;
          }
          try {
            const o = await apply(trx, actor, before, action, opts);
            (o.changed ? result.changed : result.unchanged).push(toUser(o.row));
          } catch (e) {
            if (!(e instanceof AppError && e.code === 'NO_USABLE_PASSWORD')) throw e;
            result.failed.push({ id, code: e.code, message: e.message });
          }
        }
        return result;
      });
    },
  };
}
export type LifecycleService = ReturnType<typeof createLifecycleService>;
