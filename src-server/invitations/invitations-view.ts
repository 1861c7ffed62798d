import type { InvitationRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import { AppError } from '../errors.ts';

import type { InvitationView } from '../../src-shared/domain.ts';

export type { InvitationView };
export type InvitationStatus = InvitationView['status'];

/** A used invitation stays "used" even after it expires or is revoked: that is what happened to it. */
export function statusOf(row: InvitationRow, now: Date): InvitationStatus {
  if (row.used_at) return 'used';
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now.toISOString() ? 'expired' : 'pending';
}

export function toInvitationView(row: InvitationRow & { used_by_username?: string | null }, now: Date): InvitationView {
  return {
    id: row.id,
    note: row.note,
    grant_staff: bool(row.grant_staff),
    created_by: row.created_by,
    created_at: row.created_at,
    expires_at: row.expires_at,
    used_at: row.used_at,
    used_by: row.used_by === null ? null : Number(row.used_by),
    used_by_username: row.used_by_username ?? null,
    revoked_at: row.revoked_at,
    status: statusOf(row, now),
  };
}

export type InspectStatus = 'valid' | 'used' | 'expired' | 'revoked' | 'unknown';

/** The link an invited person opens; the lead's page serves it. */
export const invitationPath = (token: string) => `/accounts/invite/${token}/`;

/** One error per reason an invitation cannot be used (codes and statuses in errors.ts). */
export function invitationRefusal(status: Exclude<InspectStatus, 'valid'>): AppError {
  switch (status) {
    case 'unknown':
      return new AppError('INVITATION_NOT_FOUND', 'This invitation link is not valid. Check that it was copied whole, or ask for a new one.');
    case 'used':
      return new AppError('INVITATION_USED', 'This invitation has already been used. Ask an administrator for a new one.');
    case 'expired':
      return new AppError('INVITATION_EXPIRED', 'This invitation has expired. Ask an administrator for a new one.');
    case 'revoked':
      return new AppError('INVITATION_REVOKED', 'This invitation was withdrawn by an administrator.');
  }
}
