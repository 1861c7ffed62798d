import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { OrganizationRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../lib/validate.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import type { SettingsRepo } from '../settings/settings-repo.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { Page } from '../../src-shared/domain.ts';
import { orgInputSchema, orgOrderingSchema, orgPatchSchema, type Organization } from '../../src-shared/org-schemas.ts';
import type { OrgAccess } from './org-access.ts';
import type { OrgOrderField, OrgsRepo } from './orgs-repo.ts';

export const DEFAULT_ORG_PAGE_SIZE = 25;

const userRef = z.number().int().min(1).max(2_147_483_647);
/** A new organization as a superuser makes one: the first admin may be someone else. */
export const createOrgBody = orgInputSchema.extend({ admin_user_id: userRef.optional() });
export type CreateOrgInput = z.input<typeof createOrgBody>;
export type UpdateOrgInput = z.input<typeof orgPatchSchema>;

export interface OrgListQuery {
  search?: string | undefined;
  ordering?: z.output<typeof orgOrderingSchema> | undefined;
  page?: number | undefined;
  page_size?: number | undefined;
}

export interface OrgsServiceDeps {
  db: Pick<Db, 'read'>;
  repo: OrgsRepo;
  users: UsersRepo;
  access: OrgAccess;
  settings: SettingsRepo;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
}

/** The clash with a username, said so: personal organizations are named by usernames. */
function slugIsUsername(slug: string): AppError {
  return new AppError('SLUG_TAKEN', `“${slug}” is a username (every user has a personal organization by that name): choose another id.`, {
    fields: [{ field: 'slug', message: 'is a username' }],
  });
}

/**
 * Organizations: listed, made, renamed and deleted. Every change runs under
 * the accounts lock (writes.run), where the slug-versus-username check and
 * the actor's rights are decided against committed state.
 */
export function createOrgsService(deps: OrgsServiceDeps) {
  const { db, repo, users, access, settings, audit, writes, clock } = deps;

  async function view(q: Db['read'], orgId: number, viewerId: number | null): Promise<Organization> {
    const org = await repo.view(q, orgId, viewerId);
    if (!org) throw new AppError('ORG_NOT_FOUND', 'The organization is gone.');
    return org;
  }

  return {
    /** Every organization (superusers): search by id or name, ordering, paging; `role` is the caller's. */
    async list(viewerId: number | null, query: OrgListQuery): Promise<Page<Organization>> {
      const page = query.page ?? 1;
      const pageSize = query.page_size ?? DEFAULT_ORG_PAGE_SIZE;
      const ordering = query.ordering ?? 'slug';
      const { count, rows } = await repo.list(db.read, {
        search: query.search,
        orderBy: ordering.replace(/^-/, '') as OrgOrderField,
        descending: ordering.startsWith('-'),
        limit: pageSize,
        offset: (page - 1) * pageSize,
        viewerId,
      });
      return { count, page, page_size: pageSize, results: rows };
    },

    /** The caller's own: the personal organization (their username) and the named ones they are in. */
    async listMine(user: { id: number; username: string }) {
      return { personal: { slug: user.username, name: user.username }, results: await repo.mine(db.read, user.id) };
    },

    async get(actor: Actor, slug: string): Promise<Organization> {
      const { org } = await access.authorize(db.read, actor, slug, 'member');
      return view(db.read, org.id, actor.userId);
    },

    /**
     * Make an organization; its first admin is the caller, or `admin_user_id`
     * (superusers), or nobody (`{ admin: null }`: the command line without
     * --admin; superusers manage it). Anyone signed in may while
     * IS_ORG_CREATION_OPEN is on; superusers always.
     */
    async create(actor: Actor, raw: CreateOrgInput, opts: { admin?: number | null } = {}): Promise<Organization> {
      const input = parseInput(createOrgBody, raw, 'body');
      const now = clock.now().toISOString();
      return writes.run(actor, async (trx) => {
        let superuser = actor.userId === null;
        if (actor.userId !== null) superuser = Boolean((await users.byId(trx, actor.userId))?.is_superuser);
        if (!superuser && !(await settings.readAll(trx)).IS_ORG_CREATION_OPEN) {
          throw new AppError('ORG_CREATION_CLOSED', 'Only superusers can create organizations on this server.');
        }
        if (input.admin_user_id !== undefined && !superuser)
          throw new AppError('SUPERUSER_REQUIRED', 'Only a superuser can make someone else the first admin.');
        // Both directions are checked under this lock (account-identifiers.ts refuses a username equal to a slug).
        if (await users.byUsername(trx, input.slug)) throw slugIsUsername(input.slug);
        const adminId = input.admin_user_id ?? (opts.admin === undefined ? actor.userId : opts.admin);
        const admin = adminId === null ? null : await users.byId(trx, adminId);
        if (adminId !== null && !admin) {
          throw new AppError('USER_NOT_FOUND', `No user with id ${adminId}.`, { fields: [{ field: 'admin_user_id', message: 'no such user' }] });
        }
        const org = await repo.create(trx, {
          slug: input.slug,
          name: input.name ?? input.slug,
          join_policy: input.join_policy ?? 'invite_only',
          created_at: now,
          created_by: actor.username,
        });
        if (admin) await repo.addMember(trx, { organization_id: org.id, user_id: Number(admin.id), role: 'admin', joined_at: now, invited_by: null });
        await audit.record(
          actor,
          {
            action: 'org.create',
            targetType: 'organization',
            targetId: org.id,
            target: org.slug,
            detail: { slug: org.slug, name: org.name, join_policy: org.join_policy, admin: admin?.username ?? null },
          },
          trx,
        );
        return view(trx, org.id, actor.userId);
      });
    },

    /** Rename or change the single sign-on policy (org admins and superusers); the slug never changes. */
    async update(actor: Actor, slug: string, raw: UpdateOrgInput): Promise<Organization> {
      const patch = parseInput(orgPatchSchema, raw, 'body');
      return writes.run(actor, async (trx) => {
        const { org } = await access.authorize(trx, actor, slug, 'admin');
        const before: Record<string, unknown> = { name: org.name, join_policy: org.join_policy };
        const changed = (Object.keys(patch) as Array<keyof typeof patch>).filter((f) => patch[f] !== undefined && patch[f] !== before[f]);
        if (changed.length) {
          await repo.update(trx, org.id, Object.fromEntries(changed.map((f) => [f, patch[f]])) as Pick<OrganizationRow, 'name' | 'join_policy'>);
          await audit.record(
            actor,
            {
              action: 'org.update',
              targetType: 'organization',
              targetId: org.id,
              target: org.slug,
              detail: { ...Object.fromEntries(changed.map((f) => [f, patch[f]])), from: Object.fromEntries(changed.map((f) => [f, before[f]])) },
            },
            trx,
          );
        }
        return view(trx, org.id, actor.userId);
      });
    },

    /** Delete an organization with its memberships and invitations (org admins and superusers); tokens in it fall back to personal. */
    async remove(actor: Actor, slug: string): Promise<void> {
      await writes.run(actor, async (trx) => {
        const { org } = await access.authorize(trx, actor, slug, 'admin');
        const members = await repo.memberCount(trx, org.id);
        await repo.remove(trx, org.id);
        await audit.record(
          actor,
          { action: 'org.delete', targetType: 'organization', targetId: org.id, target: org.slug, detail: { name: org.name, members } },
          trx,
        );
      });
    },

    /** The organizations a user is in (superusers' user editor). */
    async membershipsOf(userId: number) {
      if (!(await users.byId(db.read, userId))) throw new AppError('USER_NOT_FOUND', `No user with id ${userId}.`);
      return repo.membershipsOf(db.read, userId);
    },
  };
}
export type OrgsService = ReturnType<typeof createOrgsService>;
