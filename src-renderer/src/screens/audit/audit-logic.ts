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
  'user.sign_out',
  'user.require_password_change',
  'user.keys_revoke_all',
  'user.delete',
  'key.create',
  'key.revoke',
  'settings.change',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'registration.closed',
] as const;

/** What each action is, for the Action filter (the code stays beside it: it is what the command line's `audit --action` takes). */
export const ACTION_LABELS: Record<(typeof KNOWN_ACTIONS)[number], string> = {
  'auth.login': 'Sign-ins',
  'auth.pkey': 'Key exchanges',
  'user.signup': 'Sign-ups',
  'user.create': 'Users created',
  'user.update': 'User details changed',
  'user.roles': 'Roles changed',
  'user.password': 'Passwords set',
  'user.sign_out': 'Signed out everywhere',
  'user.require_password_change': 'Password changes required',
  'user.keys_revoke_all': 'All keys revoked',
  'user.delete': 'Users deleted',
  'key.create': 'API keys created',
  'key.revoke': 'API keys revoked',
  'settings.change': 'Settings changed',
  'invitation.create': 'Invitations created',
  'invitation.revoke': 'Invitations revoked',
  'invitation.accept': 'Invitations used',
  'registration.closed': 'Registration closed',
};

/** The filter's debounce: typing a name should not fire a request per key press. */
export const FILTER_DEBOUNCE_MS = 300;

/** What an entry acted on: its name where the server has one, else type and id. */
export function targetText(e: Pick<AuditEntry, 'target' | 'target_type' | 'target_id'>): string {
  if (e.target) return e.target_type ? `${e.target_type} ${e.target}` : e.target;
  if (e.target_type || e.target_id) return [e.target_type, e.target_id].filter(Boolean).join(' ');
  return '';
}

export function isFailure(outcome: string): boolean {
  return outcome !== 'success';
}
