import type { Kysely, Transaction } from 'kysely';
import type { Database, InvitationRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { randomToken } from '../lib/crypto.ts';
import { parseInput } from '../lib/validate.ts';
import { AppError } from '../errors.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import type { InvitationsRepo } from '../invitations/invitations-repo.ts';
import type { InvitationTokens } from '../invitations/invitation-tokens.ts';
import { invitationPath, invitationRefusal, statusOf, toInvitationView } from '../invitations/invitations-view.ts';
import { validateCreate } from '../invitations/invitations-service.ts';
import { orgInvitationInputSchema, type Organization, type OrgInvitationInput, type OrgInvitationView, type OrgRole } from '../../src-shared/org-schemas.ts';
import type { OrgAccess } from './org-access.ts';
import type { OrgsRepo } from './orgs-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface OrgInvitationsServiceDeps {
  db: Pick<Db, 'read'>;
  repo: InvitationsRepo;
  tokens: InvitationTokens;
  orgs: OrgsRepo;
  access: OrgAccess;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
}

/** Refusals of a known link worth an audit line, as for site invitations (invitations-accept.ts). */
const REFUSALS = new Set(['INVITATION_USED', 'INVITATION_EXPIRED', 'INVITATION_REVOKED']);

const roleOf = (row: InvitationRow): OrgRole => row.org_role ?? 'member';

/** A site invitation's view, less staff (an organization's never grants it), with the role it gives. */
export function toOrgInvitationView(row: InvitationRow & { used_by_username?: string | null }, now: Date): OrgInvitationView {
  const { grant_staff: _staff, ...view } = toInvitationView(row, now);
  return { ...view, role: roleOf(row) };
}

const notFound = (id: string) => new AppError('INVITATION_NOT_FOUND', `No invitation with id ${id} in this organization.`);

/**
 * Invitations into an organization: single-use, expiring links (the same
 * tokens and table as site invitations, with `organization_id` set) that its
 * admins and superusers make, list and withdraw. A signed-in user joins with
 * one here; someone without an account makes one with it through the site
 * invitation's accept step, which joins them too (invitations-accept.ts).
 *
 * @example
 * const { path } = await orgInvitations.create(actor, 'acme', { role: 'member', note: 'for Ana' });
 * // Ana, signed in, opens `${baseUrl}${path}`; then:
 * const org = await orgInvitations.join(ana, linkToken, ip);
 */
export function createOrgInvitationsService(deps: OrgInvitationsServiceDeps) {
  const { db, repo, tokens, orgs, access, audit, writes, clock } = deps;

  const record = (actor: Actor, org: { id: number; slug: string }, action: string, detail: Record<string, unknown>, q: Q) =>
    audit.record(actor, { action, targetType: 'organization', targetId: org.id, target: org.slug, detail }, q);

  return {
    /** Make a link into `slug` (its admins and superusers). The token is returned here and nowhere else; only its keyed hash is stored. */
    async create(actor: Actor, slug: string, raw: OrgInvitationInput = {}): Promise<{ invitation: OrgInvitationView; token: string; path: string }> {
      const input = parseInput(orgInvitationInputSchema, raw, 'body');
      const { hours, note } = validateCreate({ expiresInHours: input.expires_in_hours, note: input.note });
      const role = input.role ?? 'member';
      const { token, tokenHash } = tokens.mint();
      const { row, now } = await writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'admin');
        const at = clock.now();
        const inserted = await repo.insert(trx, {
          id: randomToken(16),
          token_hash: tokenHash,
          note,
          grant_staff: repo.flag(false),
          created_by: actor.username,
          created_at: at.toISOString(),
          expires_at: new Date(at.getTime() + hours * 3_600_000).toISOString(),
          used_at: null,
          used_by: null,
          revoked_at: null,
          organization_id: grant.org.id,
          org_role: role,
          created_by_id: actor.userId,
        });
        await record(actor, grant.org, 'org.invitation.create', { invitation_id: inserted.id, role, expires_at: inserted.expires_at, note }, trx);
        return { row: inserted, now: at };
      });
      return { invitation: toOrgInvitationView(row, now), token, path: invitationPath(token) };
    },

    /** The organization's links (its admins and superusers): pending (usable now) by default, newest first; never a token. */
    async list(actor: Actor, slug: string, opts: { status?: 'pending' | 'all' | undefined } = {}): Promise<OrgInvitationView[]> {
      const grant = await access.authorize(db.read, actor, slug, 'admin');
      const now = clock.now();
      const rows = await repo.list(db.read, { organizationId: grant.org.id, pendingAt: opts.status === 'all' ? undefined : now.toISOString() });
      return rows.map((r) => toOrgInvitationView(r, now));
    },

    /** Withdraw a link (its admins and superusers). Another organization's id is unknown here; revoking twice is harmless; a used one cannot be. */
    async revoke(actor: Actor, slug: string, id: string): Promise<OrgInvitationView> {
      return writes.run(actor, async (trx) => {
        const grant = await access.authorize(trx, actor, slug, 'admin');
        const now = clock.now();
        const existing = await repo.byId(trx, id);
        if (!existing || existing.organization_id === null || Number(existing.organization_id) !== grant.org.id) throw notFound(id);
        if (existing.revoked_at) return toOrgInvitationView(existing, now);
        const row = await repo.revoke(trx, id, now.toISOString());
        if (!row) throw new AppError('INVITATION_USED', 'This invitation has already been used; remove the member instead.');
        await record(actor, grant.org, 'org.invitation.revoke', { invitation_id: id, role: roleOf(row) }, trx);
        return toOrgInvitationView(row, now);
      });
    },

    /**
     * A signed-in user accepts a link: it is claimed (once, atomically, as an
     * account-making acceptance claims it) and they become a member with its
     * role, invited by whoever made it, in one transaction. A member already
     * is refused before the claim, so the link stays usable for someone else;
     * so is a site invitation, which makes accounts rather than members.
     */
    async join(actor: Actor, token: string, ip: string | null): Promise<Organization> {
      const userId = actor.userId;
      if (userId === null) throw new AppError('UNAUTHENTICATED', 'Sign in to join an organization with an invitation.');
      const who: Actor = { ...actor, ip: ip ?? actor.ip };
      const found = await tokens.find(db.read, token);
      if (!found) throw invitationRefusal('unknown');
      if (found.organization_id === null) {
        throw new AppError(
          'INVITATION_NOT_FOR_ORG',
          'This invitation makes a new account; it does not join an organization. Sign out to use it, or ask for an invitation into the organization.',
        );
      }
      try {
        return await writes.run(who, async (trx) => {
          const me = await trx.selectFrom('users').select(['is_active', 'username']).where('id', '=', userId).executeTakeFirst();
          if (!me || !bool(me.is_active)) throw new AppError('UNAUTHENTICATED', 'Your account is no longer active.');
          const now = clock.now();
          // Read again under the lock: an organization deleted meanwhile took the invitation with it.
          const row = await repo.byId(trx, found.id);
          const org = row?.organization_id == null ? undefined : await repo.organizationOf(trx, Number(row.organization_id));
          if (!row || !org) throw invitationRefusal('unknown');
          const status = statusOf(row, now);
          if (status !== 'pending') throw invitationRefusal(status);
          if (await orgs.roleOf(trx, org.id, userId)) {
            throw new AppError('ALREADY_MEMBER', `You are already a member of “${org.slug}”; the invitation was left unused.`);
          }
          const claimed = await repo.claim(trx, row.id, now.toISOString());
          if (!claimed) throw invitationRefusal('used');
          await repo.setUsedBy(trx, row.id, userId);
          const role = roleOf(claimed);
          await orgs.addMember(trx, { organization_id: org.id, user_id: userId, role, joined_at: now.toISOString(), invited_by: claimed.created_by_id });
          await audit.record(
            who,
            {
              action: 'invitation.accept',
              targetType: 'invitation',
              targetId: row.id,
              detail: { user_id: userId, username: me.username, organization: org.slug, role },
            },
            trx,
          );
          await record(who, org, 'org.member.add', { user_id: userId, username: me.username, role, via: 'invitation', invitation_id: row.id }, trx);
          const view = await orgs.view(trx, org.id, userId);
          if (!view) throw invitationRefusal('unknown');
          return view;
        });
      } catch (e) {
        if (e instanceof AppError && REFUSALS.has(e.code)) {
          await audit.record(who, {
            action: 'invitation.accept',
            outcome: 'failure',
            targetType: 'invitation',
            targetId: found.id,
            detail: { reason: e.code },
          });
        }
        throw e;
      }
    },
  };
}
export type OrgInvitationsService = ReturnType<typeof createOrgInvitationsService>;
