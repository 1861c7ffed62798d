import { ConsoleFailure, type ConsoleErrorCode, type ConsoleFieldIssue } from '../../../src-shared/console-errors.ts';
import { messages } from './admin-forms.ts';
import type { AdminPage } from './admin-http.ts';

/**
 * The remote backend's failures, each a specific sentence an admin can act
 * on. `serverCode` names the case for the screens and the tests. The bundled
 * server's LAST_SUPERUSER sentences are repeated word for word, so the refusal
 * reads the same whichever server the console manages.
 */
const fail = (code: ConsoleErrorCode, serverCode: string, message: string, fields?: ConsoleFieldIssue[]) =>
  new ConsoleFailure({ code, serverCode, message, ...(fields?.length ? { fields } : {}) });

/** Thrown inside an operation when the admin site sent us to its login page: the caller signs in again and retries. */
export class SessionExpired extends Error {
  constructor() {
    super('the admin-site session has ended');
    this.name = 'SessionExpired';
  }
}

export const remoteErrors = {
  notGraphistry: (host: string, why: string) =>
    fail(
      'UNREACHABLE',
      'NOT_GRAPHISTRY',
      `The server at ${host} is neither a Graphistry (no Django admin site there) nor a Graphistry Admin server (${why}): check the address.`,
    ),
  wrongAdminPath: (host: string, path: string) =>
    fail(
      'NOT_FOUND',
      'WRONG_ADMIN_PATH',
      `${host} is a Graphistry, but its admin site is not at ${path}: set the admin path to the one it uses (Graphistry's DJANGO_ADMIN_URL).`,
      [{ field: 'admin_path', message: `has no Django admin site at ${path}` }],
    ),
  wrongPassword: () => fail('UNAUTHORIZED', 'INVALID_CREDENTIALS', 'Wrong username or password.'),
  /** Django's login form says one sentence for a wrong password and for an account that is not staff; it is quoted. */
  signInRefused: (said: string) =>
    fail(
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
      `The admin site refused this sign-in: the username or password is wrong, or the account is not staff. It says: “${said}”`,
    ),
  otpRequired: (said: string, again: boolean) =>
    fail(
      'UNAUTHORIZED',
      'OTP_REQUIRED',
      `${again ? 'The admin site ended the session and asks' : 'The password is right; the admin site asks'} for a one-time code as well: enter the code from your authenticator. It says: “${said}”`,
      [{ field: 'otp', message: 'is required by this admin site' }],
    ),
  otpRefused: (said: string) =>
    fail('UNAUTHORIZED', 'OTP_INVALID', `The admin site refused the one-time code: “${said}”`, [{ field: 'otp', message: 'was not accepted' }]),
  /** django-axes and the like answer a locked account with a page of their own (403, or 429): it is quoted. */
  accountLocked: (host: string, said: string, locked: boolean) =>
    fail(
      'FORBIDDEN',
      locked ? 'ACCOUNT_LOCKED' : 'SIGN_IN_REFUSED',
      `The admin site at ${host} refused this sign-in${locked ? ': the account is locked' : ''}. It says: “${said}”`,
    ),
  notStaff: (username: string) =>
    fail('FORBIDDEN', 'NOT_STAFF', `"${username}" signed in, but is not staff, so Graphistry's admin site refuses it: sign in as a superuser.`),
  notSuperuser: (username: string) => fail('FORBIDDEN', 'SUPERUSER_REQUIRED', `"${username}" is not a superuser: the console needs an administrator account.`),
  noUserModel: (host: string) =>
    fail('FORBIDDEN', 'NO_USER_ADMIN', `The admin site at ${host} lists no user model this account can manage: sign in as a superuser.`),
  sessionEnded: () => fail('UNAUTHORIZED', 'SESSION_EXPIRED', 'The Graphistry admin session has ended and no password is kept for it: sign in again.'),
  csrfRefused: (host: string) =>
    fail(
      'FORBIDDEN',
      'CSRF_REFUSED',
      `The admin site at ${host} refused the form (Django's CSRF check): behind a proxy, make sure it passes the Host header and X-Forwarded-Proto through unchanged.`,
    ),
  unexpected: (host: string, what: string) =>
    fail(
      'SERVER_ERROR',
      'UNEXPECTED_PAGE',
      `The admin site at ${host} answered ${what} in a way the console does not recognize; it may run a customized admin.`,
    ),
  lastSuperuser: (deleting: boolean, fields: ConsoleFieldIssue[] = []) =>
    fail(
      'CONFLICT',
      'LAST_SUPERUSER',
      deleting ? 'This is the last active superuser and cannot be deleted.' : 'This is the last active superuser: make another superuser first.',
      fields,
    ),
  usernameTaken: () => fail('CONFLICT', 'USERNAME_TAKEN', 'A user with that username already exists.', [{ field: 'username', message: 'already in use' }]),
  userNotFound: (id: number) => fail('NOT_FOUND', 'USER_NOT_FOUND', `No user with id ${id}.`),
  unsupported: (message: string) => fail('UNSUPPORTED', 'UNSUPPORTED', message),
  refusedLookup: (host: string, what: string) => fail('UNSUPPORTED', 'LOOKUP_REFUSED', `The admin site at ${host} refused to ${what}.`),
  readOnlyField: (host: string, who: string, fields: Array<{ field: string; label: string; why: string }>) =>
    fail(
      'UNSUPPORTED',
      'READ_ONLY_FIELD',
      `The admin site at ${host} does not let the console change ${fields.map((f) => f.label).join(' or ')} (${fields[0]!.why}): nothing was changed for ${who}. Change it on the server itself.`,
      fields.map((f) => ({ field: f.field, message: f.why })),
    ),
  /** A form with a field whose value the page does not show: posting it back would overwrite that field with a guess. */
  unreadableField: (host: string, what: string, fields: ConsoleFieldIssue[]) =>
    fail(
      'CONFLICT',
      'UNREADABLE_FIELD',
      `The admin site's form for ${what} has ${fields.length > 1 ? 'fields' : 'a field'} the console cannot send back as ${fields.length > 1 ? 'they are' : 'it is'}: ${fields.map((f) => `${f.field} (${f.message})`).join('; ')}. Saving would overwrite ${fields.length > 1 ? 'them' : 'it'}, so nothing was changed: fix ${fields.length > 1 ? 'them' : 'it'} in the admin site at ${host} first.`,
      fields,
    ),
  /** Created, but the second step (the change form) did not save all of it. */
  userIncomplete: (id: number, username: string, missing: Array<{ field: string; label: string }>, why: string) =>
    new ConsoleFailure({
      code: 'CONFLICT',
      serverCode: 'USER_INCOMPLETE',
      message: `User "${username}" was created (id ${id}), but ${missing.map((m) => m.label).join(', ')} ${missing.length > 1 ? 'were' : 'was'} not saved: ${why.replace(/\.?$/, '.')} Finish it in the user's editor, or delete it.`,
      fields: missing.map((m) => ({ field: m.field, message: 'was not saved' })),
      user_id: id,
    }),
  /** The admin site took the post but the user reads back otherwise (a custom save_model, a signal). */
  notSaved: (host: string, who: string, fields: Array<{ field: string; label: string }>) =>
    fail(
      'CONFLICT',
      'NOT_SAVED',
      `The admin site at ${host} accepted the change to ${who}, but ${fields.map((f) => f.label).join(', ')} ${fields.length > 1 ? 'read' : 'reads'} back unchanged.`,
      fields.map((f) => ({ field: f.field, message: 'was not saved by the server' })),
    ),
  emailIsUsername: (host: string) =>
    fail(
      'VALIDATION',
      'VALIDATION',
      `Users of ${host} sign in with their email address: the username and the email are one field, so give the same address for both (or change the username).`,
      [{ field: 'email', message: 'is the username on this server' }],
    ),
};

/** A page that is not what an operation expects, by status: missing, forbidden, broken, or not an HTML page of the admin. */
export function failureForPage(page: AdminPage, host: string, what: string, notFound?: () => ConsoleFailure): ConsoleFailure {
  if (page.status === 404 && notFound) return notFound();
  if (page.status === 403)
    return /csrf/i.test(page.body)
      ? remoteErrors.csrfRefused(host)
      : fail('FORBIDDEN', 'FORBIDDEN', `The admin site at ${host} does not let this account ${what}.`);
  if (page.status >= 500) return fail('SERVER_ERROR', 'SERVER_ERROR', `The admin site at ${host} failed (${page.status}) while trying to ${what}.`);
  // Where Django said why (its messages framework), that sentence is the clearest one there is.
  const said = /html/i.test(page.contentType) ? messages(page.html).find((m) => m.level === 'error' || m.level === 'warning') : undefined;
  if (said) return fail('CONFLICT', 'REFUSED', `The admin site at ${host} did not ${what}: ${said.text}`);
  return remoteErrors.unexpected(host, `${page.status} to "${what}"`);
}
