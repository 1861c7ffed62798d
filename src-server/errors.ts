/**
 * One error type for the whole server. Every failure a client can see is an
 * `AppError` with a code from this registry; the error handler turns it into
 * `{error: CODE, message}` and never shows a stack or SQL text.
 */
export const ERROR_CODES = {
  VALIDATION: 400,
  INVALID_JSON: 400,
  WEAK_PASSWORD: 400,
  INVALID_CREDENTIALS: 400,
  // A site invitation (it makes an account) presented to join an organization.
  INVITATION_NOT_FOR_ORG: 400,
  TOKEN_INVALID: 400,
  TOKEN_EXPIRED: 400,
  // A callback whose state is unknown, used or expired, or whose ID token fails a check.
  SSO_STATE_INVALID: 400,
  SSO_TOKEN_INVALID: 400,
  // Several site-wide IdPs are enabled and the client named none.
  SSO_IDP_REQUIRED: 400,
  // pygraphistry's poll held open until its end without the sign-in at the IdP finishing.
  SSO_PENDING: 408,
  UNKNOWN_SETTING: 400,
  // A user import's file refused whole (src-shared/user-import.ts), before any row is judged.
  NOT_UTF8: 400,
  EMPTY_FILE: 400,
  NO_ROWS: 400,
  UNKNOWN_COLUMN: 400,
  MISSING_COLUMN: 400,
  BAD_HEADER: 400,
  BAD_CSV: 400,
  FILE_TOO_LARGE: 413,
  TOO_MANY_ROWS: 413,
  // The issuer given does not serve a usable OIDC discovery document (the reason is in the message).
  SSO_DISCOVERY_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SUPERUSER_REQUIRED: 403,
  SIGNUPS_CLOSED: 403,
  // A sign-in at an IdP that names no account here (IS_SSO_SIGNUP off), or a disabled one.
  SSO_NO_ACCOUNT: 403,
  SSO_ACCOUNT_DISABLED: 403,
  // The verified email at the IdP is a superuser's or staff account's: an administrator links those, never the email alone.
  SSO_LINK_ADMIN_REQUIRED: 403,
  // An organization's sign-in by someone not in it, where it takes members by invitation only.
  SSO_ORG_INVITE_REQUIRED: 403,
  SETUP_TOKEN_REQUIRED: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  ORG_NOT_MEMBER: 403,
  ORG_ADMIN_REQUIRED: 403,
  ORG_CREATION_CLOSED: 403,
  ORG_NOT_FOUND: 404,
  SSO_PROVIDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  // Unknown link: 404. A link that existed but can no longer be used: 410 Gone,
  // one code per reason so the invite page can say which (tokens are 256-bit,
  // so telling the cases apart helps no guesser).
  INVITATION_NOT_FOUND: 404,
  INVITATION_USED: 410,
  INVITATION_EXPIRED: 410,
  INVITATION_REVOKED: 410,
  METHOD_NOT_ALLOWED: 405,
  USERNAME_TAKEN: 409,
  EMAIL_TAKEN: 409,
  LAST_SUPERUSER: 409,
  SLUG_TAKEN: 409,
  SSO_PROVIDER_TAKEN: 409,
  ALREADY_MEMBER: 409,
  LAST_ORG_ADMIN: 409,
  KEY_LIMIT_REACHED: 409,
  NO_USABLE_PASSWORD: 409,
  // Backup, restore and db move (src-server/backup/): refused before anything is written.
  BACKUP_FILE_EXISTS: 409,
  BACKUP_INVALID: 400,
  BACKUP_CHECKSUM_MISMATCH: 400,
  BACKUP_SCHEMA_TOO_NEW: 409,
  BACKUP_SECRETS_MISSING: 400,
  NO_DATABASE: 404,
  TARGET_NOT_EMPTY: 409,
  ENV_CONFLICT: 409,
  SAME_DATABASE: 400,
  SERVER_RUNNING: 409,
  COPY_VERIFY_FAILED: 500,
  AUDIT_FAILED: 500,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  THROTTLED: 429,
  INTERNAL: 500,
  SSO_FAILED: 502,
  UPSTREAM_UNAVAILABLE: 502,
  SERVER_BUSY: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldIssue {
  field: string;
  message: string;
  /** Machine-readable rule name where one applies (password policy). */
  rule?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldIssue[] | undefined;
  /** Extra headers the response must carry (Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, opts: { fields?: FieldIssue[]; headers?: Record<string, string>; status?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code];
    this.fields = opts.fields;
    this.headers = opts.headers;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** The one sentence every failed sign-in gets, whatever the reason (unknown user, wrong password, inactive, throttled). */
export const BAD_CREDENTIALS_MESSAGE = 'Unable to log in with provided credentials.';
