import { ConsoleFailure, type ConsoleErrorCode, type ConsoleFieldIssue } from '../../src-shared/console-errors.ts';

/**
 * Turning what a server answered (or failed to answer) into `ConsoleFailure`.
 * Every message here is built from our own sentences plus the server's
 * `message`; nothing from the request (headers, credentials) is ever quoted,
 * and `redact` scrubs the credential from server text in case one echoes it.
 */
export interface FailureContext {
  /** host[:port] of the server, never with user info. */
  host: string;
  /** The credential in use, scrubbed from any text that reaches a message. */
  secrets: readonly string[];
}

/** Server codes that answer 400 but mean "who you are was refused", not "what you typed is wrong". */
const CREDENTIAL_CODES = new Set(['INVALID_CREDENTIALS', 'TOKEN_INVALID', 'TOKEN_EXPIRED']);

function codeForStatus(status: number, serverCode: string | undefined): ConsoleErrorCode {
  if (serverCode && CREDENTIAL_CODES.has(serverCode)) return 'UNAUTHORIZED';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 405 || status === 501) return 'UNSUPPORTED';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SERVER_ERROR';
  return 'VALIDATION';
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a whole `PersonalKey id:secret` goes rather than leaving its id around the secret's mark.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.slice(0, 500);
}

/** Retry-After is seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterSeconds(header: unknown, now = Date.now()): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export function waitPhrase(seconds: number | null): string {
  if (seconds === null) return 'try again later';
  if (seconds <= 90) return `try again in ${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `try again in ${minutes} minutes`;
}

interface ErrorBody {
  error?: unknown;
  message?: unknown;
  fields?: unknown;
  non_field_errors?: unknown;
}

function fieldsOf(raw: unknown, secrets: readonly string[]): ConsoleFieldIssue[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: ConsoleFieldIssue[] = [];
  for (const f of raw.slice(0, 50)) {
    if (!f || typeof f !== 'object') continue;
    const { field, message, rule } = f as Record<string, unknown>;
    if (typeof field !== 'string' || typeof message !== 'string') continue;
    out.push({ field, message: redact(message, secrets), ...(typeof rule === 'string' ? { rule } : {}) });
  }
  return out.length ? out : undefined;
}

/** A non-2xx answer that came back as JSON from the server's one error handler (`{error, message, fields?}`). */
export function failureFromErrorBody(status: number, body: ErrorBody, retryAfter: unknown, ctx: FailureContext): ConsoleFailure {
  const serverCode = typeof body.error === 'string' ? body.error.slice(0, 64) : undefined;
  const code = codeForStatus(status, serverCode);
  const drfText = Array.isArray(body.non_field_errors) && typeof body.non_field_errors[0] === 'string' ? body.non_field_errors[0] : undefined;
  let message = redact(typeof body.message === 'string' ? body.message : (drfText ?? `The server at ${ctx.host} answered ${status}.`), ctx.secrets);
  if (code === 'RATE_LIMITED' || status === 503) {
    const wait = waitPhrase(retryAfterSeconds(retryAfter));
    message = code === 'RATE_LIMITED' ? `Too many attempts: ${wait}.` : `${message.replace(/\.$/, '')}: ${wait}.`;
  }
  const fields = fieldsOf(body.fields, ctx.secrets);
  return new ConsoleFailure({ code, message, ...(fields ? { fields } : {}), ...(serverCode ? { serverCode } : {}) });
}

/**
 * A status whose body is not our JSON: a web server, proxy or captive portal
 * answered instead of Graphistry Admin. 5xx and 429 keep their meaning (a
 * proxy in front of a down or busy server); anything else says plainly the
 * address is wrong.
 */
export function failureFromForeignAnswer(status: number, contentType: string, retryAfter: unknown, ctx: FailureContext): ConsoleFailure {
  if (status === 429)
    return new ConsoleFailure({
      code: 'RATE_LIMITED',
      message: `The server at ${ctx.host} is refusing requests for now: ${waitPhrase(retryAfterSeconds(retryAfter))}.`,
    });
  if (status >= 500)
    return new ConsoleFailure({ code: 'SERVER_ERROR', message: `The server at ${ctx.host} answered ${status}; a proxy in front of it may not reach it.` });
  const what = /html/i.test(contentType) ? 'a web page' : contentType ? `"${contentType.split(';')[0]!.slice(0, 60)}"` : 'an empty answer';
  return notGraphistry(ctx, `it answered ${status} with ${what}`);
}

export function notGraphistry(ctx: FailureContext, why: string): ConsoleFailure {
  // Something answered: NOT_GRAPHISTRY keeps the console from saying "Cannot reach" about it.
  return new ConsoleFailure({
    code: 'UNREACHABLE',
    serverCode: 'NOT_GRAPHISTRY',
    message: `The server at ${ctx.host} is not a Graphistry Admin server (${why}): check the address.`,
  });
}

/** A 2xx answer in a shape we do not know: a server of another version, most likely. */
export function unexpectedShape(ctx: FailureContext, what: string): ConsoleFailure {
  return new ConsoleFailure({
    code: 'SERVER_ERROR',
    message: `The server at ${ctx.host} answered ${what} in an unexpected shape; it may run a different version of Graphistry Admin.`,
  });
}
