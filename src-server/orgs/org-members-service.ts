import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { CreateUserInput } from '../users/users-schemas.ts';
import type { UsersService } from '../users/users-service.ts';
import type { NewPersonalKey, Page, User } from '../../src-shared/domain.ts';
import type { OrgMember, OrgRole } from '../../src-shared/org-schemas.ts';
import { orgNotFound, type OrgAccess, type OrgGrant } from './org-access.ts';
import { assertKeepsAdmin } from './last-org-admin.ts';
import type { OrgsRepo } from './orgs-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

export const DEFAULT_MEMBERS_PAGE_SIZE = 25;

export interface MembersQuery {
  search?: string | undefined;
  role?: OrgRole | undefined;
  page?: number | undefined;
  page_size?: number | undefined;
}

export interface OrgMembersServiceDeps {
  db: Pick<Db, 'read'>;
  repo: OrgsRepo;
  users: UsersRepo;
  usersService: Pick<UsersService, 'create'>;
  access: OrgAccess;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
}

const memberNotFound = (slug: string, userId: number) => new AppError('MEMBER_NOT_FOUND', `User ${userId} is not a member of “${slug}”.`);

/** Adding people directly, or making them, is a site administrator's act: org admins invite instead (as Graphistry's own). */
function requireSuperuser(grant: OrgGrant): void {
  if (!grant.superuser) throw new AppError('SUPERUSER_REQUIRED', 'This needs a superuser account: organization admins invite people instead.');
}

/**
 * Who is in an organization, and as what. Every change is decided and
 * written inside the accounts lock, against the actor's rights as they are
 * then (org-access.ts) and the last-active-admin rule (last-org-admin.ts),
 * and audited in the same transaction.
 */
export function createOrgMembersService(deps: OrgMembersServiceDeps) {
  const { db, repo, users, usersService, access, audit, writes, clock } = deps;

  async function mustBeMember(q: Q, grant: OrgGrant, userId: number): Promise<OrgMember> {
    const member = await repo.member(q, grant.org.id, userId);
    if (!member) throw memberNotFound(grant.org.slug, userId);
    return member;
  }

  const record = (actor: Actor, grant: OrgGrant, action: string, detail: Record<string, unknown>, q: Q) =>
    audit.record(actor, { action, targetType: 'organization', targetId: grant.org.id, target: grant.org.slug, detail }, q);

  return {
    /** A page of members, by username (any member may read it). */
    async list(actor: Actor, slug: string, query: MembersQuery): Promise<Page<OrgMember>> {
      const grant = await access.authorize(db.read, actor, slug, 'member');
      const page = query.page ?? 1;
      const pageSize = query.page_size ?? DEFAULT_MEMBERS_PAGE_SIZE;
      const { count, rows } = await repo.membersPage(db.read, grant.org.id, {
        search: query.search,
        role: query.role,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return { count, page, page_size: pageSize, results: rows };
    },

    /** Put an existing user in (superusers and the command line). */
    async add(actor: Actor, slug: string, userId: number, role: OrgRole): Promise<OrgMember> {
      return writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'admin');
        requireSuperuser(grant);
        const user = await users.byId(trx, userId);
        if (!user) throw new AppError('USER_NOT_FOUND', `No user with id ${userId}.`, { fields: [{ field: 'user_id', message: 'no such user' }] });
        if (await repo.roleOf(trx, grant.org.id, userId)) {
          throw new AppError('ALREADY_MEMBER', `“${user.username}” is already a member of “${grant.org.slug}”.`, {
            fields: [{ field: 'user_id', message: 'already a member' }],
          });
        }
        await repo.addMember(trx, { organization_id: grant.org.id, user_id: userId, role, joined_at: clock.now().toISOString(), invited_by: actor.userId });
        await record(actor, grant, 'org.member.add', { user_id: userId, username: user.username, role, via: 'direct' }, trx);
        return mustBeMember(trx, grant, userId);
      });
    },

    /** Make a member an admin or a member (org admins and superusers); never the last active admin down to member. */
    async setRole(actor: Actor, slug: string, userId: number, role: OrgRole): Promise<OrgMember> {
      return writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'admin');
        const member = await mustBeMember(trx, grant, userId);
        if (member.role === role) return member;
        if (role === 'member') await assertKeepsAdmin(trx, repo, grant.org, member, 'role');
        await repo.setRole(trx, grant.org.id, userId, role);
        await record(actor, grant, 'org.member.role', { user_id: userId, username: member.username, role, from: member.role }, trx);
        return { ...member, role };
      });
    },

    /** Take a member out (org admins and superusers); never the last active admin. */
    async remove(actor: Actor, slug: string, userId: number): Promise<void> {
      await writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'admin');
        const member = await mustBeMember(trx, grant, userId);
        await assertKeepsAdmin(trx, repo, grant.org, member, null);
        await repo.removeMember(trx, grant.org.id, userId);
        await record(actor, grant, 'org.member.remove', { user_id: userId, username: member.username, role: member.role }, trx);
      });
    },

    /** The caller leaves (a member of it, superuser or not); the last active admin cannot. */
    async leave(actor: Actor, slug: string): Promise<void> {
      const userId = actor.userId;
      if (userId === null) throw new AppError('UNAUTHENTICATED', 'Authentication credentials were not provided.');
      await writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'member');
        if (!grant.role) throw new AppError('ORG_NOT_MEMBER', `You are not a member of “${grant.org.slug}”.`);
        const member = await mustBeMember(trx, grant, userId);
        await assertKeepsAdmin(trx, repo, grant.org, member, null);
        await repo.removeMember(trx, grant.org.id, userId);
        await record(actor, grant, 'org.leave', { role: member.role }, trx);
      });
    },

    /**
     * Make a user in the organization (superusers and the command line): the
     * account, its first key and the membership in one transaction, so a
     * failure anywhere (the organization deleted meanwhile, a database error)
     * leaves none of them.
     */
    async createUser(actor: Actor, slug: string, input: CreateUserInput, role: OrgRole): Promise<{ user: User; key: NewPersonalKey; member: OrgMember }> {
      // Known before the password is hashed; decided again inside the transaction.
      if (!(await repo.bySlug(db.read, slug))) throw orgNotFound(slug);
      let member: OrgMember | undefined;
      const made = await usersService.create(actor, input, {
        within: async (trx, user) => {
          const grant = await access.authorize(trx, actor, slug, 'admin');
          requireSuperuser(grant);
          await repo.addMember(trx, { organization_id: grant.org.id, user_id: user.id, role, joined_at: clock.now().toISOString(), invited_by: actor.userId });
          await record(actor, grant, 'org.member.add', { user_id: user.id, username: user.username, role, via: 'create_user' }, trx);
          member = await mustBeMember(trx, grant, user.id);
        },
      });
      return { ...made, member: member! };
    },
  };
}
export type OrgMembersService = ReturnType<typeof createOrgMembersService>;
