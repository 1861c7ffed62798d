/**
 * Only same-site paths may be a `next` target after sign-in. Browsers treat
 * `//host`, `/\host` and backslashes as other hosts, and schemes like
 * `javascript:` run code, so anything but a plain absolute path on this site
 * falls back to the dashboard.
 *
 * The decision is made on the path as the browser will resolve it, not on the
 * raw text: `/.//evil.example`, `/%2e//evil.example` and `/x/../..//evil.example`
 * all start with one slash, but their dot segments collapse to
 * `//evil.example`, another host. What is returned is that normalised form,
 * so the text checked is the text sent in `Location`.
 */
export const DEFAULT_NEXT = '/dashboard/';

/** Another host once resolved (`//x`, `/\x`), even after one round of %-decoding, as some proxies decode. */
function leavesSite(path: string): boolean {
  if (/^[/\\]{2}/.test(path)) return true;
  try {
    return /^[/\\]{2}/.test(decodeURIComponent(path));
  } catch {
    return true; // undecodable escapes: no place to send anyone
  }
}

/**
 * A control character (C0, DEL or C1) once %-decoded, up to three rounds as
 * proxies in front may decode again: `%09`, `%0A`, `%0D`, `%C2%85`. None
 * belongs in a path, and a decoded CR or LF is how a redirect is split or a
 * header smuggled.
 */
function hidesControl(path: string): boolean {
  let text = path;
  for (let round = 0; round < 3 && text.includes('%'); round++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Undecodable as sent: refused (as leavesSite does). Undecodable after a round: a literal `%` (`100%25` is `100%`).
      return round === 0;
    }
    if (/\p{Cc}/u.test(text)) return true;
  }
  return false;
}

export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return DEFAULT_NEXT;
  if (!raw.startsWith('/') || leavesSite(raw)) return DEFAULT_NEXT;
  if (/[\\\p{Cc}\s]/u.test(raw) || hidesControl(raw)) return DEFAULT_NEXT;
  let u: URL;
  try {
    u = new URL(raw, 'http://same.invalid');
  } catch {
    return DEFAULT_NEXT;
  }
  if (u.origin !== 'http://same.invalid' || u.username || u.password || leavesSite(u.pathname)) return DEFAULT_NEXT;
  // Sign-in pages themselves are no place to land.
  if (u.pathname.startsWith('/accounts/login') || u.pathname.startsWith('/accounts/logout')) return DEFAULT_NEXT;
  return u.pathname + u.search + u.hash;
}

/** The page a user whose administrator requires a new password is held on (pages/password-change-page.ts). */
export const PASSWORD_CHANGE_PATH = '/accounts/password/change/';

/** Where a session whose user must change their password is sent, coming back to `next` afterwards. */
export const passwordChangeUrl = (next: string) => `${PASSWORD_CHANGE_PATH}?next=${encodeURIComponent(safeNext(next))}`;
