/**
 * Errors that cross the console bridge. Results travel as values
 * (`{ok: true, value} | {ok: false, error}`): a thrown Error loses everything
 * but its message over IPC.
 */
export const CONSOLE_ERROR_CODES = [
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNREACHABLE',
  'TLS',
  'UNSUPPORTED',
  'NOT_CONNECTED',
  /** A call prepared for one connection arrived after the console switched to another (or signed in again): refused, nothing changed. */
  'STALE_CONNECTION',
  'NO_KEYCHAIN',
  'SERVER_NOT_RUNNING',
  'SERVER_FAILED',
  'PORT_IN_USE',
  'DATABASE_LOCKED',
  'SERVER_ERROR',
  'INTERNAL',
] as const;

export type ConsoleErrorCode = (typeof CONSOLE_ERROR_CODES)[number];

export interface ConsoleFieldIssue {
  field: string;
  message: string;
  rule?: string;
}

export interface ConsoleError {
  code: ConsoleErrorCode;
  /** One sentence a person can act on. */
  message: string;
  /** Field-level problems (the UI shows each next to its field). */
  fields?: ConsoleFieldIssue[];
  /** The server's own error code where one came back (e.g. LAST_SUPERUSER, USERNAME_TAKEN). */
  serverCode?: string;
  /** The user a write left behind half-done (USER_INCOMPLETE: created, but not all of it saved), so the console can offer to finish or delete it. */
  user_id?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ConsoleError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ConsoleError): Result<never> => ({ ok: false, error });

/** Thrown inside the main process; turned into a `Result` at the bridge. */
export class ConsoleFailure extends Error {
  readonly error: ConsoleError;
  constructor(error: ConsoleError) {
    super(error.message);
    this.name = 'ConsoleFailure';
    this.error = error;
  }
}
