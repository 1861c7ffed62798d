import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganizationRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../audit/audit-service.ts';
import type { OrgRole } from '../../src-shared/org-schemas.ts';
import type { OrgsRepo } from './orgs-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** What a caller may do in an organization: read it (`member`) or manage it (`admin`). */
export type OrgNeed = 'member' | 'admin';

export interface OrgGrant {
  org: OrganizationRow;
  /** The actor's own role in it (null: not a member, which only superusers and the command line get past). */
  role: OrgRole | null;
  /** A superuser, or the command line: manages every organization. */
  superuser: boolean;
}

export const orgNotFound = (slug: string) => new AppError('ORG_NOT_FOUND', `No organization “${slug}”.`);

/**
 * Who may do what in an organization, read from `q`: superusers (and the
 * command line) everything; a member reads; an admin manages. Writes call it
 * with their accounts-locked transaction, so it re-reads the actor's account
 * and membership there: an admin demoted, removed or deactivated while
 * their request waited for the lock cannot act (as auth/privileged-writes.ts
 * re-checks superusers).
 */
export function createOrgAccess(deps: { repo: OrgsRepo }) {
  const { repo } = deps;
  return {
    async authorize(q: Q, actor: Actor, slug: string, need: OrgNeed): Promise<OrgGrant> {
      let superuser = actor.userId === null;
      if (actor.userId !== null) {
        const user = await q.selectFrom('users').select(['is_active', 'is_superuser']).where('id', '=', actor.userId).executeTakeFirst();
        if (!user || !bool(user.is_active)) throw new AppError('UNAUTHENTICATED', 'Your account is no longer active.');
        superuser = bool(user.is_superuser);
        if (actor.requires === 'superuser' && !superuser) throw new AppError('SUPERUSER_REQUIRED', 'This needs a superuser account.');
      }
      const org = await repo.bySlug(q, slug);
      if (!org) throw orgNotFound(slug);
      const role = actor.userId === null ? null : await repo.roleOf(q, org.id, actor.userId);
      if (!superuser) {
        if (!role) throw new AppError('ORG_NOT_MEMBER', `You are not a member of “${org.slug}”: ask one of its admins for an invitation.`);
        if (need === 'admin' && role !== 'admin') throw new AppError('ORG_ADMIN_REQUIRED', `Only an admin of “${org.slug}” can do this.`);
      }
      return { org, role, superuser };
    },
  };
}
export type OrgAccess = ReturnType<typeof createOrgAccess>;
