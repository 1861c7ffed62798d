import type { UserRow } from './domain.ts';
import type { SignIn } from './user-schemas.ts';
import type { CsvCell } from './csv-write.ts';

/** The columns of a users export, in order: no secret is ever among them (no hash, no key, no epoch). */
export const USER_EXPORT_COLUMNS = ['id', 'username', 'email', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login', 'sign_in'] as const;
export const USER_EXPORT_FORMATS = ['csv', 'json'] as const;
export type UserExportFormat = (typeof USER_EXPORT_FORMATS)[number];

/**
 * How a user signs in, as one cell: `password`, `sso:<idp>` or
 * `sso:<organization>/<idp>` for each linked identity, space-separated;
 * `none` when neither; empty when the server does not say.
 */
export function signInText(s: SignIn | undefined): string {
  if (!s) return '';
  const parts = [...(s.password ? ['password'] : []), ...s.sso.map((x) => `sso:${x.organization ? `${x.organization}/` : ''}${x.idp ?? 'unknown'}`)];
  return parts.length ? parts.join(' ') : 'none';
}

/** One user as a CSV record (a field the server did not list is empty). */
export function userExportCells(u: UserRow): CsvCell[] {
  return [u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, u.date_joined, u.last_login, signInText(u.sign_in)];
}

/** One user as a JSON export record: exactly the export's columns, sign_in as the list gives it. */
export function userExportRecord(u: UserRow): Record<(typeof USER_EXPORT_COLUMNS)[number], unknown> {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    is_active: u.is_active,
    is_staff: u.is_staff,
    is_superuser: u.is_superuser,
    date_joined: u.date_joined,
    last_login: u.last_login,
    sign_in: u.sign_in ?? null,
  };
}

/** The file name an export is saved under: `users-2026-12-06.csv`. */
export const exportFileName = (what: 'users' | 'audit', format: UserExportFormat, at: Date) => `${what}-${at.toISOString().slice(0, 10)}.${format}`;
