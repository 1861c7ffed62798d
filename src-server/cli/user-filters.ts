import type { OptionSpec, Values } from './command-kit.ts';
import { usage } from './command-kit.ts';

/**
 * The Users list's search and filters as flags, one declaration for the
 * commands that take them (users list, users export); their values are
 * judged by the API's own query schema, so the same words refuse the same
 * values everywhere.
 */
export const USER_FILTER_OPTIONS: Record<string, OptionSpec> = {
  search: { type: 'string', help: 'username or email contains' },
  staff: { type: 'boolean', help: 'only staff (--no-staff: only non-staff)' },
  superuser: { type: 'boolean', help: 'only superusers (--no-superuser: only others)' },
  active: { type: 'boolean', help: 'only active users (--no-active or --inactive: only inactive)' },
  inactive: { type: 'boolean', help: 'only inactive users' },
  'sign-in': { type: 'string', help: 'how they sign in: password, sso (only single sign-on) or both' },
  'never-signed-in': { type: 'boolean', help: 'only users who never signed in (--no-never-signed-in: only those who did)' },
  'inactive-days': { type: 'string', help: 'no sign-in for this many days (never signed in counts)' },
  'joined-before': { type: 'string', help: 'joined before this day, YYYY-MM-DD (UTC)' },
  ordering: { type: 'string', help: 'field, - for descending (default username)' },
};

const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** The flags given, as the list's query parameters (strings, as a URL would carry them). */
export function userFilterQuery(v: Values): Record<string, string> {
  if (v.active === true && v.inactive === true) throw usage('give --active or --inactive, not both');
  const raw = {
    search: str(v, 'search'),
    is_staff: v.staff,
    is_superuser: v.superuser,
    is_active: v.inactive ? false : v.active,
    sign_in: str(v, 'sign-in'),
    never_signed_in: v['never-signed-in'],
    inactive_days: str(v, 'inactive-days'),
    joined_before: str(v, 'joined-before'),
    ordering: str(v, 'ordering'),
  };
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, typeof x === 'boolean' ? String(x) : (x as string)]),
  );
}
