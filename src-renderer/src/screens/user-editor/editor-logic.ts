import type { ConsoleParams } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { User } from '../../../../src-shared/domain.ts';

/** The editor's form: what an admin can change on a user (the password has its own form), the email as typed ('' for none). */
export type UserForm = Pick<User, 'username' | 'is_active' | 'is_staff' | 'is_superuser'> & { email: string };

export interface NewUserForm extends UserForm {
  password: string;
  password2: string;
}

/** Django's defaults for "Add user": active, neither staff nor superuser. */
export const BLANK_NEW_USER: Readonly<NewUserForm> = Object.freeze({
  username: '',
  email: '',
  password: '',
  password2: '',
  is_active: true,
  is_staff: false,
  is_superuser: false,
});

export type UserPatch = ConsoleParams<'updateUser'>['patch'];

export function formFromUser(u: User): UserForm {
  return { username: u.username, email: u.email ?? '', is_active: u.is_active, is_staff: u.is_staff, is_superuser: u.is_superuser };
}

/**
 * Only what changed goes into the patch: the server audits each changed
 * field, and sending `is_superuser: true` untouched must not count as a
 * role change. A cleared email is `null`, the server's "no email".
 */
export function diffPatch(form: UserForm, user: User): UserPatch {
  const patch: UserPatch = {};
  const username = form.username.trim();
  const email = form.email.trim();
  if (username !== user.username) patch.username = username;
  if (email !== (user.email ?? '')) patch.email = email === '' ? null : email;
  for (const f of ROLES) if (form[f] !== user[f]) patch[f] = form[f];
  return patch;
}

const ROLES = ['is_active', 'is_staff', 'is_superuser'] as const;

/**
 * After a refusal that names roles (LAST_SUPERUSER names the one that would
 * have left no active superuser; LAST_ORG_ADMIN names `is_active` when the
 * user is an organization's last active admin): those checkboxes go back to what the server
 * kept, the rest of the form stays as typed.
 */
export function withRefusedRolesReset(form: UserForm, user: User, error: ConsoleError): UserForm {
  const next = { ...form };
  for (const { field } of error.fields ?? []) {
    const role = ROLES.find((r) => r === field);
    if (role) next[role] = user[role];
  }
  return next;
}

export function isDirty(form: UserForm, user: User): boolean {
  return Object.keys(diffPatch(form, user)).length > 0;
}

export function createParams(form: NewUserForm): Omit<ConsoleParams<'createUser'>, 'connection'> {
  const email = form.email.trim();
  return {
    username: form.username.trim(),
    password: form.password,
    ...(email ? { email } : {}),
    is_active: form.is_active,
    is_staff: form.is_staff,
    is_superuser: form.is_superuser,
  };
}

/** A field's message goes as soon as the field is edited. */
export function withoutKey(errors: Record<string, string>, key: string): Record<string, string> {
  if (!(key in errors)) return errors;
  const { [key]: _gone, ...rest } = errors;
  return rest;
}

/** What can be told before asking the server; every rule about the password itself stays the server's. */
export function checkPasswordPair(password: string, again: string): { password?: string; password2?: string } {
  if (password === '') return { password: 'Enter a password.' };
  if (again !== password) return { password2: 'The two passwords do not match.' };
  return {};
}

export function checkNewUser(form: NewUserForm): Record<string, string> {
  return { ...(form.username.trim() === '' ? { username: 'Enter a username.' } : {}), ...checkPasswordPair(form.password, form.password2) };
}

/**
 * Messages keyed by form field. Server rules (LAST_SUPERUSER, USERNAME_TAKEN,
 * WEAK_PASSWORD…) carry a whole sentence that says why, so that sentence goes
 * to each field it concerns; schema issues carry a fragment ("is required")
 * that reads after the field's label. Paths like `patch.username` (the
 * bridge's own validation) land on `username`.
 */
export function errorsByField(error: ConsoleError | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const ruleSentence = error?.serverCode && error.serverCode !== 'VALIDATION' ? error.message : null;
  for (const f of error?.fields ?? []) {
    const key = f.field.split('.').at(-1) ?? f.field;
    if (out[key]) continue;
    const text = ruleSentence ?? f.message;
    out[key] = text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?…]$/.test(text) ? '' : '.');
  }
  return out;
}

/** The error for the banner: only when none of its problems can be shown at a field on this form. */
export function bannerError(error: ConsoleError | null | undefined, formFields: readonly string[]): ConsoleError | null {
  if (!error) return null;
  const placed = Object.keys(errorsByField(error)).some((f) => formFields.includes(f));
  return placed ? null : error;
}

export interface Strength {
  /** 0 nothing typed, 1 weak … 4 strong. */
  level: 0 | 1 | 2 | 3 | 4;
  label: string;
  advice: string;
}

/**
 * A quick hint while typing, not a policy: the server decides (length,
 * numeric-only, same as username, common passwords) and says why it refuses.
 * Length counts most; variety helps a little.
 */
export function passwordStrength(password: string, username = '', minLength = 8): Strength {
  const length = [...password].length;
  if (length === 0) return { level: 0, label: '', advice: `At least ${minLength} characters; a few unrelated words make a strong password.` };
  if (length < minLength)
    return { level: 1, label: 'Too short', advice: `${minLength - length} more ${minLength - length === 1 ? 'character' : 'characters'} at least.` };
  if (/^\d+$/.test(password) || (username && password.toLowerCase() === username.toLowerCase())) {
    return { level: 1, label: 'Weak', advice: /^\d+$/.test(password) ? 'Not only digits.' : 'Not the username.' };
  }
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((re) => re.test(password)).length;
  const byLength = length >= 20 ? 3 : length >= 14 ? 2 : length >= 10 ? 1 : 0;
  const level = Math.min(4, 1 + byLength + (classes >= 3 ? 1 : 0)) as Strength['level'];
  const label = ['', 'Weak', 'Fair', 'Good', 'Strong'][level]!;
  const advice = level === 4 ? '' : length < 14 ? 'Longer is stronger: 14 or more characters.' : 'Mix in capitals, digits or symbols.';
  return { level, label, advice };
}
