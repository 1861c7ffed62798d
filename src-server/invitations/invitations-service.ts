import { hmacSha256Hex, randomSecret, randomToken } from '../lib/crypto.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import { invitationPath, statusOf, toInvitationView, type InspectStatus, type InvitationView } from './invitations-view.ts';
import { createAcceptStep, type AcceptDeps } from './invitations-accept.ts';

export const DEFAULT_EXPIRES_IN_HOURS = 72;
export const MAX_EXPIRES_IN_HOURS = 720;
export const NOTE_MAX_LENGTH = 254;

export interface CreateInvitationInput {
  expiresInHours?: number | undefined;
  grantStaff?: boolean | undefined;
  note?: string | null | undefined;
}

function validateCreate(input: CreateInvitationInput): { hours: number; note: string | null } {
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
  // Domain-separated: the same secret key also signs sessions and CSRF tokens.
  const hashToken = (token: string) => hmacSha256Hex(secretKey, `invitation:${token}`);

  /** What a presented token is worth right now. Never throws for a bad token. */
  async function inspect(token: string): Promise<{ status: InspectStatus; invitation: InvitationView | null }> {
    // Real tokens are 43 characters; refuse oversized input before hashing or querying.
    const row = token.length > 0 && token.length <= 256 ? await repo.byTokenHash(db.read, hashToken(token)) : undefined;
    if (!row) return { status: 'unknown', invitation: null };
    const now = clock.now();
    const status = statusOf(row, now);
    return { status: status === 'pending' ? 'valid' : status, invitation: toInvitationView(row, now) };
  }

  return {
    inspect,

    /** Make a single-use link. The token is returned here and nowhere else; only its keyed hash is stored. */
    async create(actor: Actor, input: CreateInvitationInput = {}): Promise<{ invitation: InvitationView; token: string; path: string }> {
      const { hours, note } = validateCreate(input);
      const now = clock.now();
      const token = randomSecret(32);
      const row = await writes.run(actor, async (trx) => {
        const inserted = await repo.insert(trx, {
          id: randomToken(16),
          token_hash: hashToken(token),
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

    /** Pending (usable now) by default, newest first. Views never carry the token or its hash. */
    async list(opts: { status?: 'pending' | 'all' | undefined } = {}): Promise<InvitationView[]> {
      const now = clock.now();
      const rows = await repo.list(db.read, opts.status === 'all' ? undefined : now.toISOString());
      return rows.map((r) => toInvitationView(r, now));
    },

    /** Withdraw a link. Revoking twice is harmless; a used invitation cannot be revoked (the account exists). */
    async revoke(actor: Actor, id: string): Promise<InvitationView> {
      return writes.run(actor, async (trx) => {
        const now = clock.now();
        const existing = await repo.byId(trx, id);
        if (!existing) throw new AppError('INVITATION_NOT_FOUND', `No invitation with id ${id}.`);
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
export type { AcceptInput, AcceptResult } from './invitations-accept.ts';
