/** The console's screens. Kept in the URL hash so reloads and back/forward work. */
export type Route =
  | { name: 'wizard' }
  | { name: 'connections' }
  | { name: 'users' }
  | { name: 'user'; id: number | 'new' }
  | { name: 'keys'; userId?: number }
  | { name: 'settings' }
  | { name: 'audit' };

export function routeToHash(r: Route): string {
  switch (r.name) {
    case 'user':
      return `#/users/${r.id}`;
    case 'keys':
      return r.userId ? `#/keys/${r.userId}` : '#/keys';
    default:
      return `#/${r.name}`;
  }
}

export function hashToRoute(hash: string): Route | null {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, arg] = parts;
  const id = arg !== undefined && /^\d{1,10}$/.test(arg) ? Number(arg) : null;
  switch (head) {
    case 'wizard':
    case 'connections':
    case 'users':
    case 'settings':
    case 'audit':
      if (head === 'users' && arg === 'new') return { name: 'user', id: 'new' };
      if (head === 'users' && id) return { name: 'user', id };
      return { name: head };
    case 'keys':
      return id ? { name: 'keys', userId: id } : { name: 'keys' };
    default:
      return null;
  }
}
