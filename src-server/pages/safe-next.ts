/**
 * Only same-site relative paths may be a `next` target after sign-in.
 * Browsers treat `//host`, `/\host` and backslashes as other hosts, and
 * schemes like `javascript:` run code, so anything but a plain absolute path
 * on this site falls back to the dashboard.
 */
export const DEFAULT_NEXT = '/dashboard/';

export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return DEFAULT_NEXT;
  if (!raw.startsWith('/') || raw.startsWith('//')) return DEFAULT_NEXT;
  if (/[\\\p{Cc}\s]/u.test(raw)) return DEFAULT_NEXT;
  try {
    const base = new URL('http://same.invalid');
    const u = new URL(raw, base);
    if (u.origin !== base.origin) return DEFAULT_NEXT;
    // Sign-in pages themselves are no place to land.
    if (u.pathname.startsWith('/accounts/login') || u.pathname.startsWith('/accounts/logout')) return DEFAULT_NEXT;
    return u.pathname + u.search + u.hash;
  } catch {
    return DEFAULT_NEXT;
  }
}
