import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import type { PasswordCheck } from '../auth/password-check.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { assertPassword } from '../lib/password-policy.ts';
import { AppError } from '../errors.ts';
import type { BulkActiveResult, MatchingUserIds, NewPersonalKey, Page, User, UserOrderingField } from '../../src-shared/domain.ts';
import { BULK_MAX_USERS } from '../../src-shared/domain.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { KeysService } from '../keys/keys-service.ts';
import { toUser, usernameColumns, type ListUsersFilter, type UsersRepo } from './users-repo.ts';
import { createUserBody, updateUserBody, type CreateUserInput, type ListUsersQuery, type UpdateUserInput, type UserIdsQuery } from './users-schemas.ts';
import { lastSuperuserFields, type ListedUser, type UserPatch } from '../../src-shared/user-schemas.ts';
import { assertIdentifiersFree, usernameClash } from './account-identifiers.ts';
import { parseInput } from '../lib/validate.ts';
import { assertNotSoleAdmin } from '../orgs/last-org-admin.ts';
import type { OrgsRepo } from '../orgs/orgs-repo.ts';

export const DEFAULT_PAGE_SIZE = 25;

export interface UsersServiceDeps {
  db: Db;
  repo: UsersRepo;
  keys: KeysService;
  audit: AuditService;
  hasher: PasswordHasher;
  checkPassword: PasswordCheck;
  writes: PrivilegedWrites;
  clock: Clock;
  passwordMinLength: number;
  /** Organizations, for "never deactivate or delete an organization's last active admin". */
  orgs: Pick<OrgsRepo, 'soleAdminOrgs'>;
}

/** Runs inside a new user's transaction, after the user, its audit entry and its first key: its failure undoes all of them. */
export type WithinCreate = (trx: Kysely<Database>, user: User) => Promise<void>;

/** Map a unique-constraint failure from either dialect to the field it concerns. */
export function uniqueViolation(e: unknown): 'username' | 'email' | null {
  const msg = String((e as { message?: string })?.message ?? '');
  const code = String((e as { code?: string })?.code ?? '');
  if (code !== '23505' && !msg.includes('UNIQUE constraint failed')) return null;
  return /email/.test(msg) || /email/.test(String((e as { constraint?: string }).constraint ?? '')) ? 'email' : 'username';
}

export function conflictError(field: 'username' | 'email'): AppError {
  return field === 'email'
    ? new AppError('EMAIL_TAKEN', 'A user with that email already exists.', { fields: [{ field: 'email', message: 'already in use' }] })
    : new AppError('USERNAME_TAKEN', 'A user with that username already exists.', { fields: [{ field: 'username', message: 'already in use' }] });
}

/**
 * The clear error for a unique-constraint failure while writing `username`
 * (null when `e` is not one). A username can clash by its lower-cased form or
 * by its look-alike skeleton; the latter names the existing account, so the
 * person choosing sees what their name would be mistaken for.
 */
export async function accountConflict(
  e: unknown,
  q: Kysely<Database>,
  repo: UsersRepo,
  username: string | undefined,
  exceptId?: number,
): Promise<AppError | null> {
  const field = uniqueViolation(e);
  if (field !== 'username' || username === undefined) return field ? conflictError(field) : null;
  const other = await repo.lookAlike(q, username, exceptId);
  return other ? usernameClash(username, other) : conflictError('username');
}

/** The list's search, filters and ordering as the repo takes them: one reading for the list and its ids. */
export function filterOf(query: UserIdsQuery, now: Date): Omit<ListUsersFilter, 'limit' | 'offset'> {
  const ordering = query.ordering ?? 'username';
  return {
    search: query.search?.trim() || undefined,
    isStaff: query.is_staff,
    isSuperuser: query.is_superuser,
    isActive: query.is_active,
    signIn: query.sign_in,
    neverSignedIn: query.never_signed_in,
    idleSince: query.inactive_days === undefined ? undefined : new Date(now.getTime() - query.inactive_days * 86_400_000).toISOString(),
    joinedBefore: query.joined_before === undefined ? undefined : `${query.joined_before}T00:00:00.000Z`,
    orderBy: ordering.replace(/^-/, '') as UserOrderingField,
    descending: ordering.startsWith('-'),
  };
}

const notFound = (id: number) => `No user with id ${id}.`;

export function createUsersService(deps: UsersServiceDeps) {
  const { db, repo, keys, audit, hasher, checkPassword, writes, clock, passwordMinLength, orgs } = deps;

  async function mustGet(q: Kysely<Database>, id: number): Promise<UserRow> {
    const row = await repo.byId(q, id);
    if (!row) throw new AppError('USER_NOT_FOUND', notFound(id));
    return row;
  }

  /**
   * One user's edit inside the caller's accounts-locked transaction: the
   * last-superuser rule, the write, the audit entry. The single edit and the
   * bulk one both come here, so a user is changed, refused and audited the
   * same way by either. A refusal (LAST_SUPERUSER) is thrown before anything
   * is written, so a caller may record it and go on in the same transaction.
   */
  async function applyUpdate(trx: Kysely<Database>, actor: Actor, before: UserRow, patch: UserPatch): Promise<User> {
    const id = Number(before.id);
    const losesSuper = bool(before.is_superuser) && bool(before.is_active) && (patch.is_superuser === false || patch.is_active === false);
    if (losesSuper && (await repo.countActiveSuperusers(trx, id)) === 0) {
      // Named, so every client shows the refusal beside the checkbox that caused it instead of working it out again.
      throw new AppError('LAST_SUPERUSER', 'This is the last active superuser: make another superuser first.', { fields: lastSuperuserFields(patch) });
    }
    if (patch.is_active === false && bool(before.is_active)) await assertNotSoleAdmin(trx, orgs, id, 'is_active');
    // Only a changed name or email is judged, so an account that already clashed (made before a rule) can still be edited.
    const renamed = patch.username !== undefined && usernameColumns(patch.username).username !== before.username ? patch.username : undefined;
    const newEmail = patch.email && patch.email.toLowerCase() !== before.email_lower ? patch.email : undefined;
    await assertIdentifiersFree(trx, repo, { username: renamed, email: newEmail }, id);
    const set: Record<string, unknown> = {};
    if (patch.username !== undefined) Object.assign(set, usernameColumns(patch.username));
    if (patch.email !== undefined) Object.assign(set, { email: patch.email, email_lower: patch.email ? patch.email.toLowerCase() : null });
    for (const f of ['is_active', 'is_staff', 'is_superuser'] as const) {
      if (patch[f] !== undefined) set[f] = repo.flag(patch[f]);
    }
    // Deactivation ends every token issued so far, on the very next request.
    if (patch.is_active === false && bool(before.is_active)) set.auth_epoch = before.auth_epoch + 1;
    const after = (await repo.update(trx, id, set))!;
    const b = toUser(before) as unknown as Record<string, unknown>;
    const a = toUser(after) as unknown as Record<string, unknown>;
    const changed = Object.keys(patch).filter((f) => b[f] !== a[f]);
    const roleChange = changed.some((f) => f.startsWith('is_'));
    await audit.record(
      actor,
      {
        action: roleChange ? 'user.roles' : 'user.update',
        targetType: 'user',
        targetId: id,
        target: after.username,
        // The new values by field (as before), and what they were, so the log can say "renamed alice to alicia".
        detail: { ...Object.fromEntries(changed.map((f) => [f, a[f]])), from: Object.fromEntries(changed.map((f) => [f, b[f]])) },
      },
      trx,
    );
    return toUser(after);
  }

  return {
    /** One user's edit in the caller's accounts-locked transaction, as the edit and bulk actions make it (the import's `update`). */
    applyUpdate,

    async list(query: ListUsersQuery): Promise<Page<ListedUser>> {
      const page = query.page ?? 1;
      const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
      const { count, estimated, rows } = await repo.list(db.read, { ...filterOf(query, clock.now()), limit: pageSize, offset: (page - 1) * pageSize });
      const result: Page<ListedUser> = { count, page, page_size: pageSize, results: await repo.listed(db.read, rows) };
      if (estimated) result.count_is_estimate = true;
      return result;
    },

    async get(id: number): Promise<User> {
      return toUser(await mustGet(db.read, id));
    },

    /** Superuser (or CLI) creates a user; the user's first personal key comes back once. */
    async create(actor: Actor, raw: CreateUserInput, opts: { within?: WithinCreate } = {}): Promise<{ user: User; key: NewPersonalKey }> {
      // The command line calls this directly, so the API's rules (and the NFKC form of the name) are applied here too.
      const input = parseInput(createUserBody, raw, 'body');
      assertPassword(input.password, input.username, passwordMinLength);
      const passwordHash = await hasher.hash(input.password);
      const now = clock.now().toISOString();
      try {
        return await writes.run(actor, async (trx) => {
          await assertIdentifiersFree(trx, repo, { username: input.username, email: input.email });
          const row = await repo.create(trx, {
            username: input.username,
            email: input.email,
            passwordHash,
            active: input.is_active,
            staff: input.is_staff ?? false,
            superuser: input.is_superuser ?? false,
            at: now,
            signedIn: false,
          });
          const user = toUser(row);
          await audit.record(
            actor,
            {
              action: 'user.create',
              targetType: 'user',
              targetId: user.id,
              target: user.username,
              detail: { is_active: user.is_active, is_staff: user.is_staff, is_superuser: user.is_superuser },
            },
            trx,
          );
          const key = await keys.create(trx, actor, user);
          // What the caller adds to the new account (organizations: its membership) commits with it or not at all.
          if (opts.within) await opts.within(trx, user);
          return { user, key };
        });
      } catch (e) {
        throw (await accountConflict(e, db.read, repo, input.username)) ?? e;
      }
    },

    /** The ids of the first `limit` users the list's query matches, in its order, and how many match (exact). */
    async listIds(query: UserIdsQuery): Promise<MatchingUserIds> {
      return repo.ids(db.read, { ...filterOf(query, clock.now()), limit: query.limit ?? BULK_MAX_USERS });
    },

    /** Edit fields and roles. The last active superuser can never be demoted or deactivated. */
    async update(actor: Actor, id: number, raw: UpdateUserInput): Promise<User> {
      // As in create: the command line has no route schema in front, so the name rules are applied here too.
      const patch = parseInput(updateUserBody, raw, 'body');
      try {
        return await writes.run(actor, async (trx) => applyUpdate(trx, actor, await mustGet(trx, id), patch));
      } catch (e) {
        throw (await accountConflict(e, db.read, repo, patch.username, id)) ?? e;
      }
    },

    /**
     * Activate or deactivate users, each judged on its own: unknown, already
     * so (not written, not audited), refused (the last active superuser), or
     * changed exactly as a single edit changes it.
     *
     * One transaction for the batch, under the accounts lock like every role
     * change. A refusal is an outcome, not a rollback, so it undoes none of
     * the rest; each last-superuser count sees the batch's own earlier writes
     * (deactivating both of the last two superusers refuses the second); and
     * the answer is exactly what committed: a database failure midway writes
     * nothing and answers the error, where a transaction per user would leave
     * the first ones changed and lose their list with the error. The lock is
     * held for the batch: 500 users took 20 ms on SQLite (where every other
     * query waits as long, behind the one connection) and 0.3 s on PostgreSQL
     * (a round trip per statement; only other account writes wait), on a
     * developer machine. The console sends 100 at a time.
     */
    async setActive(actor: Actor, ids: readonly number[], active: boolean): Promise<BulkActiveResult> {
      return writes.run(actor, async (trx) => {
        const result: BulkActiveResult = { changed: [], unchanged: [], failed: [] };
        for (const id of ids) {
          const before = await repo.byId(trx, id);
          if (!before) result.failed.push({ id, code: 'USER_NOT_FOUND', message: notFound(id) });
          else if (bool(before.is_active) === active) result.unchanged.push(toUser(before));
          else {
            try {
              result.changed.push(await applyUpdate(trx, actor, before, { is_active: active }));
            } catch (e) {
              if (!(e instanceof AppError && (e.code === 'LAST_SUPERUSER' || e.code === 'LAST_ORG_ADMIN'))) throw e;
              result.failed.push({ id, code: e.code, message: e.message });
            }
          }
        }
        return result;
      });
    },

    /** Set a password; ends every token the user had (the epoch moves on). */
    async setPassword(actor: Actor, id: number, password: string): Promise<User> {
      const target = await mustGet(db.read, id);
      assertPassword(password, target.username, passwordMinLength);
      const passwordHash = await hasher.hash(password);
      return writes.run(actor, async (trx) => {
        const current = await mustGet(trx, id);
        const row = (await repo.update(trx, id, { password_hash: passwordHash, auth_epoch: current.auth_epoch + 1 }))!;
        await audit.record(actor, { action: 'user.password', targetType: 'user', targetId: id, target: row.username }, trx);
        return toUser(row);
      });
    },

    /**
     * A signed-in user changes their own password: the current one must be
     * right. Returns the new auth epoch so the caller can keep its own session
     * while every other session and JWT ends.
     */
    async changeOwnPassword(actor: Actor, id: number, current: string, next: string): Promise<number> {
      const row = await mustGet(db.read, id);
      // Throttled and audited like a sign-in: a stolen session must not become a free password oracle.
      const verdict = await checkPassword({
        user: row,
        typed: row.username,
        password: current,
        usable: true,
        ip: actor.ip,
        audit: { actor, action: 'user.password', target: row.username, detail: { self: true } },
      });
      if (!verdict.ok) {
        const fields = [{ field: 'current_password', message: 'Your current password is not correct.' }];
        if (verdict.retryAfter > 0) {
          const minutes = Math.ceil(verdict.retryAfter / 60);
          throw new AppError('THROTTLED', `Too many wrong passwords: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
            headers: { 'Retry-After': String(verdict.retryAfter) },
          });
        }
        throw new AppError('INVALID_CREDENTIALS', 'Your current password is not correct.', { fields });
      }
      assertPassword(next, row.username, passwordMinLength);
      const passwordHash = await hasher.hash(next);
      return writes.run(actor, async (trx) => {
        const fresh = await mustGet(trx, id);
        const epoch = fresh.auth_epoch + 1;
        // Their own new password answers an administrator's request for one (users/lifecycle-service.ts).
        await repo.update(trx, id, { password_hash: passwordHash, auth_epoch: epoch, must_change_password: repo.flag(false) });
        await audit.record(actor, { action: 'user.password', targetType: 'user', targetId: id, target: fresh.username, detail: { self: true } }, trx);
        return epoch;
      });
    },

    async remove(actor: Actor, id: number): Promise<void> {
      await writes.run(actor, async (trx) => {
        const row = await mustGet(trx, id);
        if (bool(row.is_superuser) && bool(row.is_active) && (await repo.countActiveSuperusers(trx, id)) === 0) {
          throw new AppError('LAST_SUPERUSER', 'This is the last active superuser and cannot be deleted.');
        }
        if (bool(row.is_active)) await assertNotSoleAdmin(trx, orgs, id, null);
        const keys = await trx.deleteFrom('personal_keys').where('user_id', '=', id).executeTakeFirst();
        await repo.remove(trx, id);
        // The account is gone: the log keeps what it was (never a secret: no hash, no key).
        const gone = toUser(row);
        const detail = {
          email: gone.email,
          is_active: gone.is_active,
          is_staff: gone.is_staff,
          is_superuser: gone.is_superuser,
          date_joined: gone.date_joined,
          last_login: gone.last_login,
          keys_deleted: Number(keys.numDeletedRows),
        };
        await audit.record(actor, { action: 'user.delete', targetType: 'user', targetId: id, target: row.username, detail }, trx);
      });
    },

    /** Resolve a username or id given on the command line. */
    async find(ref: string): Promise<User> {
      const row = /^\d+$/.test(ref) ? ((await repo.byId(db.read, Number(ref))) ?? (await repo.byUsername(db.read, ref))) : await repo.byUsername(db.read, ref);
      if (!row) throw new AppError('USER_NOT_FOUND', `No user "${ref}".`);
      return toUser(row);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
