import type { GateIdentity } from './identity.ts';

/**
 * The identity headers the gate and the forward-auth check send, and the
 * client headers no service behind them may ever see.
 *
 * Names and emails may hold any letter (`danaé`, `dana@corpé.example`), and
 * a header value is bytes that every proxy and framework reads its own way
 * (Node as Latin-1, Go as bytes, Tornado as Latin-1 then maybe UTF-8). So a
 * name goes out as plain text only when it is plain visible ASCII, the same
 * under every reading; otherwise the plain header is left out, never
 * approximated, and services read `Remote-User-Id` or the RFC 8187 form.
 */

/** Visible ASCII and nothing else: read alike by every parser, and nothing a parser trims. */
const PLAIN = /^[\x21-\x7e]+$/;

/** A lone surrogate: a string with one has no UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * `UTF-8''` and the text percent-encoded as UTF-8 (RFC 8187 §3.2, as in
 * `filename*=`), or null for a string that has no UTF-8 form (a lone
 * surrogate): it is left out rather than sent as U+FFFD.
 *
 * @example
 * extValue('danaé') === "UTF-8''dana%C3%A9"
 */
export function extValue(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return null;
  // encodeURIComponent leaves four characters that RFC 8187's attr-char does not allow.
  return `UTF-8''${encodeURIComponent(text).replace(/[*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * What the gate and the check say about a verified identity. Always
 * `Remote-User-Id` (the numeric id), `Remote-User-Encoded` (the username
 * rule admits no lone surrogate) and `Remote-Groups` (`staff,superuser`,
 * maybe empty); `Remote-User` only for a plain ASCII username;
 * `Remote-Email` only for a plain ASCII email and `Remote-Email-Encoded` for
 * any email. A header not in the answer is not sent at all.
 */
export function identityHeaders(identity: GateIdentity): Record<string, string> {
  const out: Record<string, string> = {};
  const { username, email } = identity;
  if (PLAIN.test(username)) out['remote-user'] = username;
  out['remote-user-id'] = String(identity.userId);
  const user = extValue(username);
  if (user) out['remote-user-encoded'] = user;
  if (email && PLAIN.test(email)) out['remote-email'] = email;
  const encodedEmail = email ? extValue(email) : null;
  if (encodedEmail) out['remote-email-encoded'] = encodedEmail;
  out['remote-groups'] = [identity.isStaff ? 'staff' : '', identity.isSuperuser ? 'superuser' : ''].filter(Boolean).join(',');
  return out;
}

/**
 * Names some proxy or app reads an identity from, once `_` is read as `-`
 * and case is folded: every `Remote-*` (ours among them), `X-Remote-*`,
 * oauth2-proxy's whole `X-Auth-Request-*` family, `X-Forwarded-User` and its
 * kin, Grafana's `X-WEBAUTH-USER`.
 */
const IDENTITY = /^(?:x-)?remote-|^x-auth-request-|^(?:x-)?(?:forwarded|webauth|authenticated)-(?:user|email|groups|name|login|preferred-username)$/;

/**
 * Whether a client header must not reach a service: an identity header in
 * any spelling, and any name holding `_` at all. Tornado (under Jupyter and
 * JupyterHub) folds `Remote_User` into the `REMOTE_USER` its remote-user
 * authenticators read, and WSGI servers fold `-` and `_` alike into
 * `HTTP_REMOTE_USER`; nginx drops such names by default, and gunicorn 22 and
 * Django's runserver do too. `name` is as Node gives it (lower case).
 */
export function isForgeable(name: string): boolean {
  return name.includes('_') || IDENTITY.test(name);
}
