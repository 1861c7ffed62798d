/** The console's screens. Kept in the URL hash so reloads and back/forward work. */
export type Route =
  | { name: 'wizard' }
  | { name: 'sign-in'; profileId: string }
  | { name: 'connections' }
  | { name: 'users' }
  | { name: 'user'; id: number | 'new' }
  | { name: 'keys'; userId?: number }
  | { name: 'organizations' }
  | { name: 'organization'; org: string }
  | { name: 'sso' }
  | { name: 'import' }
  | { name: 'settings' }
  | { name: 'audit' };

export function routeToHash(r: Route): string {
  switch (r.name) {
    case 'user':
      return `#/users/${r.id}`;
    case 'keys':
      return r.userId ? `#/keys/${r.userId}` : '#/keys';
    case 'sign-in':
      return `#/sign-in/${encodeURIComponent(r.profileId)}`;
    case 'organization':
      return `#/organizations/${encodeURIComponent(r.org)}`;
    default:
      return `#/${r.name}`;
  }
}

/** The route of a hash; a screen's own state after `?` (the Users list's filters) is not part of the route. */
export function hashToRoute(hash: string): Route | null {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  const [head, arg] = parts;
  const id = arg !== undefined && /^\d{1,10}$/.test(arg) ? Number(arg) : null;
  switch (head) {
    case 'wizard':
    case 'connections':
    case 'users':
    case 'settings':
    case 'audit':
    case 'sso':
    case 'import':
      if (head === 'users' && arg === 'new') return { name: 'user', id: 'new' };
      if (head === 'users' && id) return { name: 'user', id };
      return { name: head };
    case 'keys':
      return id ? { name: 'keys', userId: id } : { name: 'keys' };
    case 'organizations': {
      if (arg === undefined) return { name: 'organizations' };
      const org = safeDecode(arg);
      return org !== null && ORG_REF.test(org) ? { name: 'organization', org } : null;
    }
    case 'sign-in':
      return arg && /^[A-Za-z0-9_-]{1,64}$/.test(arg) ? { name: 'sign-in', profileId: arg } : null;
    default:
      return null;
  }
}

/** An organization's `ref` as the bridge takes it (a slug, or a Graphistry admin's `pk-<key>`). */
const ORG_REF = /^[A-Za-z0-9_.@+-]{1,150}$/;

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Screens that show a server's data, and so need a live connection. */
export const NEEDS_CONNECTION: ReadonlyArray<Route['name']> = ['users', 'user', 'import', 'keys', 'organizations', 'organization', 'sso', 'settings', 'audit'];
