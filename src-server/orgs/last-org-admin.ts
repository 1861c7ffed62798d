import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { lastOrgAdminFields } from '../../src-shared/org-schemas.ts';
import type { OrgsRepo } from './orgs-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * "An organization never goes from one active admin to none": the same rule
 * as the last active superuser, enforced the same way. Every caller runs
 * inside the accounts lock (writes.run), so two demotions racing each other
 * are serialised and the second counts the first one's commit, on SQLite and
 * PostgreSQL alike. An organization made without an admin (the command
 * line's choice) may stay so: only losing the last one is refused.
 */

export function lastOrgAdminError(orgs: ReadonlyArray<{ slug: string }>, field: 'role' | 'is_active' | null): AppError {
  const names = orgs.map((o) => `“${o.slug}”`).join(', ');
  const message =
    orgs.length === 1
      ? `This is the last active admin of ${names}: make another member its admin first (or delete the organization).`
      : `This is the last active admin of ${names}: make another member admin of each first (or delete them).`;
  return new AppError('LAST_ORG_ADMIN', message, field ? { fields: lastOrgAdminFields(field === 'role' ? { role: 'member' } : { is_active: false }) } : {});
}

/**
 * Refuse when `member` is the last active admin of `org` and is about to
 * stop being one (demoted, removed, leaving). An inactive admin counts for
 * nothing already, so changing one never is.
 */
export async function assertKeepsAdmin(
  trx: Q,
  repo: OrgsRepo,
  org: { id: number; slug: string },
  member: { user_id: number; role: string; is_active: boolean },
  field: 'role' | null,
): Promise<void> {
  if (member.role !== 'admin' || !member.is_active) return;
  if ((await repo.countActiveAdmins(trx, org.id, member.user_id)) === 0) throw lastOrgAdminError([org], field);
}

/** Refuse deactivating or deleting `userId` while some organization has no other active admin (call only for an active user). */
export async function assertNotSoleAdmin(trx: Q, repo: Pick<OrgsRepo, 'soleAdminOrgs'>, userId: number, field: 'is_active' | null): Promise<void> {
  const orgs = await repo.soleAdminOrgs(trx, userId);
  if (orgs.length) throw lastOrgAdminError(orgs, field);
}
