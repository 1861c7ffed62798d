/**
 * Names of the pages' cookies and how they are read. Graphistry's own
 * clients never see these (they sign in through the JSON token endpoints and
 * send `Authorization`), so the names are this server's.
 *
 * Over HTTPS the cookies carry the `__Host-` prefix: a browser accepts such a
 * cookie only with Secure, Path=/ and no Domain, from this very host over
 * HTTPS, so neither a sibling subdomain nor anyone who can answer a plain
 * HTTP request for this name can plant or overwrite one
 * (https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2).
 * Plain HTTP (loopback, the console's bundled server) cannot set a `__Host-`
 * cookie at all, so there the plain name stays, and each request is read by
 * the name its own scheme sets: a plain cookie sent over HTTPS is ignored.
 */
export const SESSION_COOKIE = 'gadm_session';
export const PRESESSION_COOKIE = 'gadm_presession';
const HOST_PREFIX = '__Host-';

export interface CookieNames {
  /** Secure, and `__Host-` names: the request came over HTTPS (or SESSION_COOKIE_SECURE says to act as if). */
  secure: boolean;
  session: string;
  presession: string;
}

const PLAIN: CookieNames = Object.freeze({ secure: false, session: SESSION_COOKIE, presession: PRESESSION_COOKIE });
const HOST: CookieNames = Object.freeze({ secure: true, session: HOST_PREFIX + SESSION_COOKIE, presession: HOST_PREFIX + PRESESSION_COOKIE });

export function cookieNames(secure: boolean): CookieNames {
  return secure ? HOST : PLAIN;
}

/** Every name the pages' cookies go by, prefixed or not: none of them is any upstream app's business. */
export const OWN_COOKIE_NAMES: readonly string[] = Object.freeze([PLAIN.session, PLAIN.presession, HOST.session, HOST.presession]);

/**
 * Every value of cookie `name` in a Cookie header, in the order sent. A
 * browser sends two cookies of one name when they differ in Path or Domain,
 * longest path first, so "the first one" is whichever a planter chose to
 * scope more narrowly: callers refuse more than one instead of picking.
 * Our values are base64url: no quoting or decoding is involved.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  const out: string[] = [];
  if (!header) return out;
  const needle = `${name}=`;
  for (let at = header.indexOf(needle); at >= 0; at = header.indexOf(needle, at + needle.length)) {
    let before = at - 1;
    while (before >= 0 && (header[before] === ' ' || header[before] === '\t')) before--;
    // Only at the start of a pair: `gadm_session=` inside `__Host-gadm_session=` or a value is not it.
    if (before >= 0 && header[before] !== ';') continue;
    const start = at + needle.length;
    const end = header.indexOf(';', start);
    out.push((end < 0 ? header.slice(start) : header.slice(start, end)).trim());
  }
  return out;
}

/**
 * The session cookie for a reader that cannot tell the scheme the browser
 * used (a forward-auth check from a TLS-terminating proxy arrives as plain
 * HTTP): the `__Host-` one when sent (only this host over HTTPS can have set
 * it), else the plain one; undefined when the one chosen is sent twice.
 */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const host = cookieValues(header, HOST.session);
  const values = host.length ? host : cookieValues(header, PLAIN.session);
  return values.length === 1 && values[0] ? values[0] : undefined;
}
