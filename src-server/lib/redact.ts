/**
 * What a log line may keep of a request URL. Some URLs are credentials: an
 * invitation link (`/accounts/invite/<token>/`, `/api/v2/auth/invitations/<token>`)
 * creates an account, with staff rights when it grants them; a set-password
 * link (`/set-password/<token>/`) chooses an account's password; and the console
 * shows the server's log to whoever runs it. Every request logger and every
 * place that writes a URL into the log or the audit goes through here.
 *
 * Deny by default for query strings: parameter names stay (they say what was
 * asked), values are replaced unless the name is on a short list of harmless
 * paging and filtering parameters. Path segments are replaced after an
 * `invite` / `invitations` segment (except the fixed `accept`), and wherever a
 * segment looks like a secret (a long random token or a JWT), so a secret
 * pasted into the wrong path is not kept either.
 *
 * @example
 * redactRequestUrl('/accounts/invite/Zx3…43chars/?next=/x') // '/accounts/invite/[redacted]/?next=[redacted]'
 */
export const REDACTED = '[redacted]';

/** Longest URL a log line keeps (the rest is cut, marked with …). */
export const MAX_LOGGED_URL = 512;

/** Query parameters whose values are never secret: paging, ordering and boolean filters. */
const PLAIN_QUERY_PARAMS = new Set(['page', 'page_size', 'ordering', 'is_staff', 'is_superuser', 'is_active', 'status', 'outcome', 'action', 'lines']);

/** Segments after which the next segment is a link's token: an invitation, or a set-password link (users/password-links.ts). */
const TOKEN_PARENTS = new Set(['invite', 'invitations', 'set-password']);
/** Fixed route words that follow a token parent and are not tokens. */
const NOT_TOKENS = new Set(['accept']);

// A long run of base64url/hex characters (our tokens and secrets are 43+), or a JWT.
const SECRET_LOOKING = /^(?:[A-Za-z0-9_-]{24,}|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const PARAM_NAME = /^[A-Za-z0-9_.[\]-]{1,40}$/;
// Cheap pre-check so ordinary paths skip the split entirely (this runs on every request).
const MAY_HOLD_SECRET = /invit|set-password|eyJ|[A-Za-z0-9_-]{24}|%/i;

/**
 * %-escapes decoded, twice (a proxy in front may decode once more), never
 * throwing: bytes become Latin-1 characters, enough for the ASCII route words
 * and tokens matched here.
 */
function decodeLoosely(text: string): string {
  const once = (t: string) => t.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return text.includes('%') ? once(once(text)) : text;
}

/**
 * Segments are judged as the router reads them, %-decoded: `/accounts/%69nvite/<token>/`
 * opens the invitation as `/accounts/invite/<token>/` does, and a decoded
 * `/` (`invite%2F<token>`) splits a segment in two. A raw segment any of
 * whose decoded parts is a token is replaced whole.
 */
function redactPath(path: string): string {
  if (!MAY_HOLD_SECRET.test(path)) return path;
  const segments = path.split('/');
  let parent = '';
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '') continue;
    let secret = false;
    for (const part of decodeLoosely(seg).split(/[/\\]/)) {
      if (part === '') continue;
      // `;` starts path parameters in some routers: `invite;x` is still `invite`.
      const word = part.split(';')[0]!.toLowerCase();
      if ((TOKEN_PARENTS.has(parent) && !NOT_TOKENS.has(word)) || SECRET_LOOKING.test(part)) secret = true;
      parent = word;
    }
    if (secret) segments[i] = REDACTED;
  }
  return segments.join('/');
}

function redactQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      // A name is kept when it reads like a parameter name; a bare `?<token>` is itself a value.
      const shownName = eq !== -1 && PARAM_NAME.test(name) && !SECRET_LOOKING.test(name) ? name : REDACTED;
      if (eq === -1) return PLAIN_QUERY_PARAMS.has(name) ? name : REDACTED;
      const value = pair.slice(eq + 1);
      const plain = PLAIN_QUERY_PARAMS.has(name) && value.length <= 40 && !SECRET_LOOKING.test(decodeLoosely(value));
      return plain ? pair : `${shownName}=${REDACTED}`;
    })
    .join('&');
}

/** A request URL (path and query, as `request.url` gives it) safe to write to a log. */
export function redactRequestUrl(url: string): string {
  const q = url.indexOf('?');
  const hash = url.indexOf('#');
  const pathEnd = q !== -1 ? q : hash !== -1 ? hash : url.length;
  let out = redactPath(url.slice(0, pathEnd));
  if (q !== -1) {
    const queryEnd = hash > q ? hash : url.length;
    out += '?' + redactQuery(url.slice(q + 1, queryEnd));
  }
  return out.length > MAX_LOGGED_URL ? `${out.slice(0, MAX_LOGGED_URL)}…` : out;
}

/** Field names whose values are credentials wherever they appear (audit details, log objects). */
const SECRET_FIELD = /secret|token|password|passwd|authorization|cookie|csrf|pepper|session/i;

// Our credentials as they look inside free text. A JWT: two base64url JSON objects ("eyJ" is `{"`) and a signature.
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
// A credential after its Authorization scheme (`PersonalKey id:secret`, `Bearer <jwt>`): whatever follows is the secret.
const SCHEME_IN_TEXT = /\b(PersonalKey|Bearer)(\s+)[^\s,;]{8,}/gi;
// Key secrets, invitation tokens and session ids are 43 base64url characters (randomSecret(32)).
const LONG_RUN = /[A-Za-z0-9_-]{40,}/g;

/**
 * `text` with anything that looks like one of our credentials replaced: a
 * JWT, a `PersonalKey …` or `Bearer …` value, and a run of 40 or more
 * base64url characters holding a capital or a digit (a random 43-character
 * secret lacks both with odds of 1 in 10^15; a long name in lower-case words,
 * `john_smith_from_the_accounting_team`, is kept). For text that is not a URL:
 * audit actors, targets and details, where a typed name may be a pasted
 * secret.
 *
 * @example
 * redactSecretText('PersonalKey AbCdEfGh23456789:Zx3kQ9…') // 'PersonalKey [redacted]'
 */
export function redactSecretText(text: string): string {
  if (text.length < 40 && !/eyJ|PersonalKey|Bearer/i.test(text)) return text;
  return text
    .replace(JWT_IN_TEXT, REDACTED)
    .replace(SCHEME_IN_TEXT, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(LONG_RUN, (run) => (/[A-Z0-9]/.test(run) ? REDACTED : run));
}

/** A detail value with the nets applied: paths through `redactRequestUrl`, other text through `redactSecretText`, objects and arrays within a few levels. */
function redactValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? redactSecretText(redactRequestUrl(v)) : redactSecretText(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= 4) return REDACTED;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  return redactObject(v as Record<string, unknown>, depth + 1);
}

function redactObject(detail: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : redactValue(v, depth);
  }
  return out;
}

/**
 * A copy of a detail object for the audit log or a log line: values of
 * secret-named fields are replaced, text values that are URLs or paths go
 * through `redactRequestUrl`, and every text value (nested ones too, as in a
 * rename's `from`) through `redactSecretText`. Callers already pass no
 * secrets; this is the net under that rule.
 */
export function redactFields(detail: Record<string, unknown>): Record<string, unknown> {
  return redactObject(detail, 0);
}

/**
 * Fastify's `req` log serializer with the URL redacted and the client address
 * as the app resolves it (after TRUST_PROXY), replacing Fastify's default,
 * which logs `request.url` verbatim.
 */
export function requestLogSerializer(request: { method: string; url: string; ip?: string }): Record<string, unknown> {
  return { method: request.method, url: redactRequestUrl(request.url), remoteAddress: request.ip };
}
