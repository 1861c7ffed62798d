import { randomToken } from '../lib/crypto.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { invitationPath, statusOf, toInvitationView, type InvitationView } from './invitations-view.ts';
import { createAcceptStep, type AcceptDeps, type InspectResult } from './invitations-accept.ts';
import { createInvitationTokens } from './invitation-tokens.ts';

export const DEFAULT_EXPIRES_IN_HOURS = 72;
export const MAX_EXPIRES_IN_HOURS = 720;
export const NOTE_MAX_LENGTH = 254;

export interface CreateInvitationInput {
  expiresInHours?: number | undefined;
  grantStaff?: boolean | undefined;
  note?: string | null | undefined;
}

/** The expiry and note rules, shared with organization invitations (orgs/org-invitations-service.ts). */
export function validateCreate(input: CreateInvitationInput): { hours: number; note: string | null } {
  const hours = input.expiresInHours ?? DEFAULT_EXPIRES_IN_HOURS;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_EXPIRES_IN_HOURS) {
    throw new AppError('VALIDATION', `The expiry must be a whole number of hours from 1 to ${MAX_EXPIRES_IN_HOURS}.`, {
      fields: [{ field: 'expires_in_hours', message: `must be a whole number from 1 to ${MAX_EXPIRES_IN_HOURS}` }],
    });
  }
  const note = input.note?.trim() || null;
  if (note && ([...note].length > NOTE_MAX_LENGTH || /\p{Cc}/u.test(note))) {
    throw new AppError('VALIDATION', `The note must be at most ${NOTE_MAX_LENGTH} printable characters.`, {
      fields: [{ field: 'note', message: `must be at most ${NOTE_MAX_LENGTH} printable characters` }],
    });
  }
  return { hours, note };
}

export interface InvitationsServiceDeps extends Omit<AcceptDeps, 'inspect'> {
  /** `.env`'s general secret: the HMAC key for token hashes, so a leaked database row cannot be turned back into a link. */
  secretKey: Buffer;
  writes: PrivilegedWrites;
}

/**
 * Single-use, expiring links with which superusers let one person make an
 * account while sign-up is closed.
 *
 * @example
 * const { path } = await invitations.create(actor, { grantStaff: true, note: 'for Ana' });
 * // send `${baseUrl}${path}`; then, from the invite page:
 * const { user, key, token } = await invitations.accept(linkToken, { username: 'ana', password }, ip);
 */
export function createInvitationsService(deps: InvitationsServiceDeps) {
  const { db, repo, clock, audit, secretKey, writes } = deps;
  const tokens = createInvitationTokens(secretKey, repo);

  /**
   * What a presented token is worth right now, and, for an organization's
   * link, which organization it joins and as what (both null for a site
   * invitation). Never throws for a bad token.
   */
  async function inspect(token: string): Promise<InspectResult> {
    const row = await tokens.find(db.read, token);
    if (!row) return { status: 'unknown', invitation: null, organization: null, role: null };
    const now = clock.now();
    const status = statusOf(row, now);
    const org = row.organization_id === null ? undefined : await repo.organizationOf(db.read, Number(row.organization_id));
    return {
      status: status === 'pending' ? 'valid' : status,
      invitation: toInvitationView(row, now),
      organization: org ? { slug: org.slug, name: org.name } : null,
      role: org ? (row.org_role ?? 'member') : null,
    };
  }

  return {
    inspect,

    /** Make a single-use link. The token is returned here and nowhere else; only its keyed hash is stored. */
    async create(actor: Actor, input: CreateInvitationInput = {}): Promise<{ invitation: InvitationView; token: string; path: string }> {
      const { hours, note } = validateCreate(input);
      const now = clock.now();
      const { token, tokenHash } = tokens.mint();
      const row = await writes.run(actor, async (trx) => {
        const inserted = await repo.insert(trx, {
          id: randomToken(16),
          token_hash: tokenHash,
          note,
          grant_staff: repo.flag(input.grantStaff ?? false),
          created_by: actor.username,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + hours * 3_600_000).toISOString(),
          used_at: null,
          used_by: null,
          revoked_at: null,
        });
        await audit.record(
          actor,
          {
            action: 'invitation.create',
            targetType: 'invitation',
            targetId: inserted.id,
            detail: { grant_staff: input.grantStaff ?? false, expires_at: inserted.expires_at, note },
          },
          trx,
        );
        return inserted;
      });
      return { invitation: toInvitationView(row, now), token, path: invitationPath(token) };
    },

    /**
     * Site invitations (an organization's are listed by its admins, orgs/org-invitations-service.ts):
     * pending (usable now) by default, newest first. Views never carry the token or its hash.
     */
    async list(opts: { status?: 'pending' | 'all' | undefined } = {}): Promise<InvitationView[]> {
      const now = clock.now();
      const rows = await repo.list(db.read, { organizationId: null, pendingAt: opts.status === 'all' ? undefined : now.toISOString() });
      return rows.map((r) => toInvitationView(r, now));
    },

    /** Withdraw a link. Revoking twice is harmless; a used invitation cannot be revoked (the account exists). */
    async revoke(actor: Actor, id: string): Promise<InvitationView> {
      return writes.run(actor, async (trx) => {
        const now = clock.now();
        const existing = await repo.byId(trx, id);
        // An organization's invitations are its admins' to withdraw (on its own path), as they are its to list.
        if (!existing || existing.organization_id !== null) throw new AppError('INVITATION_NOT_FOUND', `No invitation with id ${id}.`);
        if (existing.revoked_at) return toInvitationView(existing, now);
        const row = await repo.revoke(trx, id, now.toISOString());
        if (!row) throw new AppError('INVITATION_USED', 'This invitation has already been used; deactivate the account instead.');
        await audit.record(actor, { action: 'invitation.revoke', targetType: 'invitation', targetId: id }, trx);
        return toInvitationView(row, now);
      });
    },

    accept: createAcceptStep({ ...deps, inspect }),
  };
}
export type InvitationsService = ReturnType<typeof createInvitationsService>;
export type { InspectStatus, InvitationStatus, InvitationView } from './invitations-view.ts';
export type { AcceptInput, AcceptResult, InspectResult } from './invitations-accept.ts';
