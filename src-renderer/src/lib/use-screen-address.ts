import { useEffect } from 'react';
import type { StoreApi } from 'zustand';
import { hashToRoute } from './route.ts';

/** The part after `?` of a hash (`#/users?q=ali` -> `q=ali`). */
export function hashParams(hash: string): string {
  const at = hash.indexOf('?');
  return at < 0 ? '' : hash.slice(at + 1);
}

/** How a list screen's state maps to the part of its address after `?`. */
export interface ScreenAddress<S, Q> {
  /** The screen's route, also its address (`#/users`). */
  route: 'users' | 'audit';
  store: StoreApi<S>;
  /** The state's query (search, filters, sort, page). */
  query(state: S): Q;
  /** The query as URL parameters: only what differs from the defaults, so a plain list is a plain `#/users`. */
  toParams(query: Q): string;
  /** The query an address asks for; anything unreadable falls back to the default for that part. */
  fromParams(params: string): Q;
  /** Show the query's page (the store loads it). */
  apply(query: Q): void;
  /** Load the store's current query (the screen opened without one in its address). */
  load(): void;
  /** A change that replaces its own history step rather than add one (typing a search). */
  replaces(query: Q, previous: Q): boolean;
}

/**
 * A list screen's search, filters, sort and page live in its address
 * (`#/users?q=ali&staff=yes&page=2`, `#/audit?actor=ali&action=user.roles`),
 * so a reload, back and forward, and a copied address show the same list.
 * Each change is a step in the history, except those `replaces` names.
 * Opened without any (from the sidebar), the screen shows what it showed
 * last and the address says so. `a` must be stable (a module constant).
 */
export function useScreenAddress<S, Q>(a: ScreenAddress<S, Q>): void {
  useEffect(() => {
    const write = (query: Q, how: 'push' | 'replace') => {
      const params = a.toParams(query);
      const hash = `#/${a.route}${params ? `?${params}` : ''}`;
      if (window.location.hash === hash) return;
      if (how === 'push') window.history.pushState(null, '', hash);
      else window.history.replaceState(null, '', hash);
    };
    const asked = hashParams(window.location.hash);
    if (asked) a.apply(a.fromParams(asked));
    else {
      write(a.query(a.store.getState()), 'replace');
      a.load();
    }
    const unsubscribe = a.store.subscribe((s, prev) => {
      const query = a.query(s);
      const previous = a.query(prev);
      if (a.toParams(query) === a.toParams(previous)) return;
      write(query, a.replaces(query, previous) ? 'replace' : 'push');
    });
    const onPop = () => {
      if (hashToRoute(window.location.hash)?.name !== a.route) return;
      const query = a.fromParams(hashParams(window.location.hash));
      if (a.toParams(query) !== a.toParams(a.query(a.store.getState()))) a.apply(query);
    };
    window.addEventListener('popstate', onPop);
    return () => {
      unsubscribe();
      window.removeEventListener('popstate', onPop);
    };
  }, [a]);
}
