/**
 * What a log line may keep of a request URL. Some URLs are credentials: an
 * invitation link (`/accounts/invite/<token>/`, `/api/v2/auth/invitations/<token>`)
 * creates an account, with staff rights when it grants them, and the console
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

/** Segments after which the next segment is an invitation token. */
const TOKEN_PARENTS = new Set(['invite', 'invitations']);
/** Fixed route words that follow a token parent and are not tokens. */
const NOT_TOKENS = new Set(['accept']);

// A long run of base64url/hex characters (our tokens and secrets are 43+), or a JWT.
const SECRET_LOOKING = /^(?:[A-Za-z0-9_-]{24,}|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const PARAM_NAME = /^[A-Za-z0-9_.[\]-]{1,40}$/;
// Cheap pre-check so ordinary paths skip the split entirely (this runs on every request).
const MAY_HOLD_SECRET = /invit|eyJ|[A-Za-z0-9_-]{24}/i;

function redactPath(path: string): string {
  if (!MAY_HOLD_SECRET.test(path)) return path;
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '') continue;
    const afterParent = TOKEN_PARENTS.has(segments[i - 1]!.toLowerCase()) && !NOT_TOKENS.has(seg.toLowerCase());
    if (afterParent || SECRET_LOOKING.test(seg)) segments[i] = REDACTED;
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
      const plain = PLAIN_QUERY_PARAMS.has(name) && value.length <= 40 && !SECRET_LOOKING.test(value);
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

/**
 * A shallow copy of a detail object for the audit log or a log line: values of
 * secret-named fields are replaced, and text values that are URLs or paths
 * go through `redactRequestUrl`. Callers already pass no secrets; this is the net
 * under that rule.
 */
export function redactFields(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail)) {
    if (SECRET_FIELD.test(k) && v !== null && v !== undefined && typeof v !== 'boolean') out[k] = REDACTED;
    else if (typeof v === 'string' && (v.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(v))) out[k] = redactRequestUrl(v);
    else out[k] = v;
  }
  return out;
}

/**
 * Fastify's `req` log serializer with the URL redacted and the client address
 * as the app resolves it (after TRUST_PROXY), replacing Fastify's default,
 * which logs `request.url` verbatim.
 */
export function requestLogSerializer(request: { method: string; url: string; ip?: string }): Record<string, unknown> {
  return { method: request.method, url: redactRequestUrl(request.url), remoteAddress: request.ip };
}
