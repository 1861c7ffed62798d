/**
 * The cookies of one admin-site session (Django's `csrftoken` and
 * `sessionid`), for one origin. Enough of RFC 6265 for that: name, value,
 * path, Secure, Max-Age and Expires; no domain matching, since the jar never
 * leaves the origin it was made for. Kept in memory only.
 */
interface Cookie {
  value: string;
  path: string;
  secure: boolean;
  expiresAt: number | null;
}

export interface CookieJar {
  /** The Cookie header for a request to `url`, or null. */
  header(url: URL, now?: number): string | null;
  store(setCookie: readonly string[], url: URL, now?: number): void;
  get(name: string): string | null;
  clear(): void;
}

function defaultPath(url: URL): string {
  const p = url.pathname;
  return p.lastIndexOf('/') > 0 ? p.slice(0, p.lastIndexOf('/')) : '/';
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, Cookie>();
  const live = (c: Cookie, now: number) => c.expiresAt === null || c.expiresAt > now;

  return {
    header(url, now = Date.now()) {
      const pairs: string[] = [];
      for (const [name, c] of cookies) {
        if (!live(c, now) || (c.secure && url.protocol !== 'https:') || !pathMatches(url.pathname, c.path)) continue;
        pairs.push(`${name}=${c.value}`);
      }
      return pairs.length ? pairs.join('; ') : null;
    },
    store(setCookie, url, now = Date.now()) {
      for (const line of setCookie) {
        const [pair = '', ...attrs] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        const cookie: Cookie = { value: pair.slice(eq + 1).trim(), path: defaultPath(url), secure: false, expiresAt: null };
        let maxAge: number | null = null;
        for (const a of attrs) {
          const [k = '', ...rest] = a.split('=');
          const key = k.trim().toLowerCase();
          const v = rest.join('=').trim();
          if (key === 'path' && v.startsWith('/')) cookie.path = v;
          else if (key === 'secure') cookie.secure = true;
          else if (key === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
          else if (key === 'expires' && !Number.isNaN(Date.parse(v))) cookie.expiresAt = Date.parse(v);
        }
        // Max-Age wins over Expires (RFC 6265 section 5.3); 0 or less deletes, as Django's delete_cookie does.
        if (maxAge !== null) cookie.expiresAt = now + maxAge * 1000;
        // A Secure cookie never comes from, nor goes to, a plain-HTTP page.
        if (cookie.secure && url.protocol !== 'https:') continue;
        if (live(cookie, now)) cookies.set(name, cookie);
        else cookies.delete(name);
      }
    },
    get: (name) => cookies.get(name)?.value ?? null,
    clear: () => cookies.clear(),
  };
}
