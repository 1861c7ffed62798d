import { useEffect } from 'react';
import { hashToRoute } from '../../lib/route.ts';
import { hashParams, paramsToQuery, queryToParams, type UsersQuery } from '../../stores/users-query.ts';
import { usersStore } from '../../stores/users-store.ts';

function write(query: UsersQuery, how: 'push' | 'replace') {
  const params = queryToParams(query);
  const hash = `#/users${params ? `?${params}` : ''}`;
  if (window.location.hash === hash) return;
  if (how === 'push') window.history.pushState(null, '', hash);
  else window.history.replaceState(null, '', hash);
}

/**
 * The Users list's search, filters, sort and page live in the screen's
 * address (`#/users?q=ali&staff=yes&o=-date_joined&page=2`), so a reload,
 * back and forward, and a copied address show the same list. Each change is
 * a step in the history, except typing a search, which replaces its own step.
 * Opened without any (from the sidebar), the list shows what it showed last
 * and the address says so.
 */
export function useUsersAddress(): void {
  useEffect(() => {
    const store = usersStore;
    const asked = hashParams(window.location.hash);
    if (asked) store.getState().applyQuery(paramsToQuery(asked));
    else {
      write(store.getState().query, 'replace');
      void store.getState().load();
    }
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.query === prev.query) return;
      write(s.query, s.query.search !== prev.query.search ? 'replace' : 'push');
    });
    const onPop = () => {
      if (hashToRoute(window.location.hash)?.name !== 'users') return;
      const q = paramsToQuery(hashParams(window.location.hash));
      if (queryToParams(q) !== queryToParams(store.getState().query)) store.getState().applyQuery(q);
    };
    window.addEventListener('popstate', onPop);
    return () => {
      unsubscribe();
      window.removeEventListener('popstate', onPop);
    };
  }, []);
}
