import type { AuditEntry } from '../../../../src-shared/domain.ts';

/** Every action the embedded server records, in the order an admin meets them. */
export const KNOWN_ACTIONS = [
  'auth.login',
  'auth.pkey',
  'user.signup',
  'user.create',
  'user.update',
  'user.roles',
  'user.password',
  'user.delete',
  'key.create',
  'key.revoke',
  'settings.change',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'registration.closed',
] as const;

/** The filter's debounce: typing a name should not fire a request per key press. */
export const FILTER_DEBOUNCE_MS = 300;

/** One line of JSON for the Details column; empty when there is nothing to say. */
export function compactDetail(detail: AuditEntry['detail']): string {
  if (!detail || Object.keys(detail).length === 0) return '';
  return JSON.stringify(detail);
}

/** What an entry acted on: its name where the server has one, else type and id. */
export function targetText(e: Pick<AuditEntry, 'target' | 'target_type' | 'target_id'>): string {
  if (e.target) return e.target_type ? `${e.target_type} ${e.target}` : e.target;
  if (e.target_type || e.target_id) return [e.target_type, e.target_id].filter(Boolean).join(' ');
  return '';
}

export function isFailure(outcome: string): boolean {
  return outcome !== 'success';
}
