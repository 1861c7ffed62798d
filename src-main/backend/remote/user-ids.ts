import { remoteErrors } from './remote-errors.ts';

/**
 * The console's user ids on one connection. The console's contract numbers
 * its users (`User.id`); Django's admin names each by its primary key, which
 * is an integer by default but may be a UUID or text. Where the keys are
 * integers, a user's id is its key. Where they are not, each key gets a
 * number of this connection's own, in the order the console first meets it,
 * kept until sign-out and never reused: a number the map does not hold is
 * "no such user", never a guess. The bridge refuses a call prepared for
 * another connection (STALE_CONNECTION), so such a number never reaches a
 * server it was not made for.
 */
export type UserIds = ReturnType<typeof createUserIds>;

/** Django's integer keys as the admin writes them (`42`, never `042`). */
const INTEGER = /^[1-9]\d{0,14}$/;

export function createUserIds(host: string) {
  let kind: 'integer' | 'other' | null = null;
  const byPk = new Map<string, number>();
  const byId = new Map<number, string>();
  return {
    /** Null until the first key is seen (the signed-in admin's own row decides it). */
    get kind() {
      return kind;
    },
    idOf(pk: string): number {
      kind ??= INTEGER.test(pk) ? 'integer' : 'other';
      if (kind === 'integer') {
        // Keys that looked like integers and then one that is not: numbering them now could put two users on one id.
        if (!INTEGER.test(pk)) throw remoteErrors.unexpected(host, `a user whose key "${pk.slice(0, 40)}" is not a number, among users whose keys are`);
        return Number(pk);
      }
      let id = byPk.get(pk);
      if (id === undefined) {
        id = byPk.size + 1;
        byPk.set(pk, id);
        byId.set(id, pk);
      }
      return id;
    },
    /** The key of an id this connection handed out; null: no such user here. */
    pkOf(id: number): string | null {
      if (kind === 'integer') return String(id);
      return byId.get(id) ?? null;
    },
  };
}

/** The id of an integer key, for pages read outside a connection (the parsing tests). */
export function integerId(pk: string): number {
  if (!INTEGER.test(pk)) throw new Error(`not an integer key: ${pk}`);
  return Number(pk);
}

// Django's admin quotes a key in its addresses (django.contrib.admin.utils.quote): these characters become _XX.
const QUOTED = new Set('":/_#?;@&=+$,"[]<>%\n\\');

export function quotePk(pk: string): string {
  return [...pk].map((c) => (QUOTED.has(c) ? `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c)).join('');
}

/** A path segment of the admin's, for a user's pages: `<quoted pk>/change/` and the like. */
export function pkPath(pk: string, page: 'change' | 'password' | 'delete'): string {
  return `${encodeURIComponent(quotePk(pk))}/${page}/`;
}

/** The key in a change form's address (`…/<quoted pk>/change/`), as Django redirects there after "Save and continue editing". */
export function pkFromChangePath(pathname: string): string | null {
  const m = /\/([^/]+)\/change\/?$/.exec(pathname);
  if (!m) return null;
  const quoted = decodeURIComponent(m[1]!);
  return quoted.replace(/_([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
