import type { ConsoleError } from '../../../../src-shared/console-errors.ts';

/**
 * Pure helpers for the wizard's (and the Connections screen's) messages.
 */

/** The address as the user probably meant it: a bare host name gets https://, stray spaces go. */
export function normalizeUrl(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '') return '';
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/** host[:port] of a URL, or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

const GRAPHISTRY_OWN_WORDS = [
  'NOT_STAFF',
  'NOT_GRAPHISTRY',
  'WRONG_ADMIN_PATH',
  'CSRF_REFUSED',
  'NO_USER_ADMIN',
  'ACCOUNT_LOCKED',
  'SIGN_IN_REFUSED',
  'OTP_REQUIRED',
  'OTP_INVALID',
];

/**
 * Sign-in failures said the way an admin can act on them, as whole messages
 * (shown as they are, without ErrorBanner's generic hint). The console's own
 * message stays as the detail where it names the cause (the refused port, the
 * TLS code); for wrong credentials the server's DRF sentence adds nothing.
 */
export function explainSignInError(error: ConsoleError, host: string): ConsoleError {
  // A Graphistry's own refusals (not staff, not a Graphistry, wrong admin path, a locked account, a one-time code asked for) already say what to do.
  if (error.serverCode && GRAPHISTRY_OWN_WORDS.includes(error.serverCode)) return error;
  switch (error.code) {
    case 'UNREACHABLE':
      // "Cannot reach" only when nothing answered; an address that answered as something else is said as such.
      return error.serverCode ? error : { ...error, message: `Cannot reach ${host}. ${error.message}` };
    case 'TLS':
      return { ...error, message: `Cannot connect securely to ${host}: its certificate is not trusted by this computer. ${error.message}` };
    case 'UNAUTHORIZED':
      return { ...error, message: 'Wrong username or password.' };
    case 'FORBIDDEN':
      return { ...error, message: 'This account is not a superuser: the console needs an administrator account. Sign in as a superuser.' };
    default:
      return error;
  }
}

/**
 * A field message as a sentence. The bridge's own checks say fragments
 * ("is required"), the server says whole sentences ("This password is too
 * short…"); fragments get the field's label in front.
 */
export function fieldSentence(label: string, message: string): string {
  return /^[a-z]/.test(message) ? `${label} ${message.replace(/\.?$/, '.')}` : message;
}

/**
 * Which problems show at a field and which in the banner: field errors for
 * fields this form shows go to them; anything else (no fields, or a field the
 * form does not have) also gets the banner, so nothing is lost.
 */
export function splitError(
  error: ConsoleError | null,
  labels: Readonly<Record<string, string>>,
): { fields: Record<string, string>; banner: ConsoleError | null } {
  if (!error) return { fields: {}, banner: null };
  const fields: Record<string, string> = {};
  let unplaced = false;
  for (const f of error.fields ?? []) {
    const label = labels[f.field];
    if (label) fields[f.field] ??= fieldSentence(label, f.message);
    else unplaced = true;
  }
  const banner = Object.keys(fields).length === 0 || unplaced ? error : null;
  return { fields, banner };
}

/** A problem found before asking anyone, in the bridge's shape so it shows the same way. */
export function localFieldError(field: string, message: string): ConsoleError {
  return { code: 'VALIDATION', message: 'Some values are not valid; see the fields.', fields: [{ field, message }] };
}
