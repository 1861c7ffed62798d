import { create } from 'zustand';
import type { BundledServerStatus, ConnectionStatus, Profile } from '../../../src-shared/console-api.ts';
import { call } from '../lib/api.ts';
import { hashToRoute, routeToHash, type Route } from '../lib/route.ts';

interface AppState {
  route: Route;
  status: ConnectionStatus | null;
  profiles: Profile[];
  server: BundledServerStatus | null;
  booting: boolean;
  bootError: string | null;
  navigate(route: Route): void;
  refresh(): Promise<void>;
  /** First screen: the Users manager when a saved sign-in still works, otherwise the wizard. */
  boot(): Promise<void>;
}

const NEEDS_CONNECTION: ReadonlyArray<Route['name']> = ['users', 'user', 'keys', 'settings', 'audit'];

export const useApp = create<AppState>((set, get) => ({
  route: { name: 'wizard' },
  status: null,
  profiles: [],
  server: null,
  booting: true,
  bootError: null,

  navigate(route) {
    const r = NEEDS_CONNECTION.includes(route.name) && !get().status?.connected ? ({ name: 'wizard' } as Route) : route;
    if (window.location.hash !== routeToHash(r)) window.history.pushState(null, '', routeToHash(r));
    set({ route: r });
  },

  async refresh() {
    const [status, profiles, server] = await Promise.all([call('connectionStatus', {}), call('listProfiles', {}), call('bundledServerStatus', {})]);
    set({
      ...(status.ok ? { status: status.value } : {}),
      ...(profiles.ok ? { profiles: profiles.value } : {}),
      ...(server.ok ? { server: server.value } : {}),
    });
  },

  async boot() {
    set({ booting: true, bootError: null });
    await get().refresh();
    let { status } = get();
    if (!status?.connected) {
      // Reconnect to the most recently used profile that has a saved sign-in.
      const saved = [...get().profiles].filter((p) => p.has_credential).sort((a, b) => (b.last_used_at ?? '').localeCompare(a.last_used_at ?? ''))[0];
      if (saved) {
        const r = await call('connect', { profileId: saved.id });
        if (r.ok) status = r.value;
        else set({ bootError: `Could not reconnect to “${saved.name}”: ${r.error.message}` });
        await get().refresh();
      }
    }
    const wanted = hashToRoute(window.location.hash);
    set({ booting: false });
    get().navigate(status?.connected ? (wanted && wanted.name !== 'wizard' ? wanted : { name: 'users' }) : { name: 'wizard' });
  },
}));

window.addEventListener?.('popstate', () => {
  const r = hashToRoute(window.location.hash);
  if (r) useApp.getState().navigate(r);
});
