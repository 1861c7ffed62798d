import { create } from 'zustand';
import type { BundledServerStatus, ConnectionStatus, Profile } from '../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import type { HostState } from '../bridge/web-bridge.ts';
import { call, onStaleConnection } from '../lib/api.ts';
import { hashToRoute, NEEDS_CONNECTION, routeToHash, type Route } from '../lib/route.ts';
import { rememberPlace, reopenLastPlace } from '../lib/last-place.ts';
import { leaveObjection } from './leave-guard.ts';

interface AppState {
  route: Route;
  status: ConnectionStatus | null;
  /** The connection being switched to: until it answers, no screen shows any server's data. */
  switching: Profile | null;
  profiles: Profile[];
  server: BundledServerStatus | null;
  /** Whether the console host (web mode) answers; Electron's main process always does. */
  host: HostState;
  booting: boolean;
  /** Why the sign-in card is shown instead of the screen asked for (a saved sign-in that stopped working, a server that did not answer). */
  signInNotice: ConsoleError | null;
  /** Where to go once signed in: the screen the admin was on, or asked for. */
  afterSignIn: Route | null;
  /** A move that waits for the admin's answer, because something on screen would be lost. */
  leaving: { to: Route; message: string } | null;
  /** Bumped to make the current screen load its data again (its sidebar entry clicked again, the window focused, Refresh). */
  reloads: number;
  /** `force`: what would be lost is saved, or the admin said to leave it. */
  navigate(route: Route, opts?: { force?: boolean }): void;
  confirmLeave(): void;
  cancelLeave(): void;
  reloadScreen(): void;
  refresh(): Promise<void>;
  /** Only the connection's status (the header's heartbeat). */
  refreshStatus(): Promise<void>;
  /** A status main just answered with (connect, sign-in): the screens follow its connection at once. */
  setStatus(status: ConnectionStatus): void;
  /**
   * Connect to another profile. From the moment it is asked, the screens show
   * no data of the connection being left; on success they show the new one's,
   * from scratch; on failure the old one's, reloaded. Resolves to the error.
   */
  switchTo(profile: Profile): Promise<ConsoleError | null>;
  setHost(host: HostState): void;
  /**
   * The first screen. Still connected (a reload): the screen in the address.
   * Otherwise the last-used connection: signed in from the keychain where it
   * can be, or its sign-in card with the username filled in. The setup
   * wizard only when the console has no connection at all.
   */
  boot(): Promise<void>;
  /** Signed in (or connected) just now: go where the admin was headed. */
  signedIn(): void;
}

/** The connection a returning admin used last (the most recent use; else the first one saved). */
export function lastUsedProfile(profiles: readonly Profile[]): Profile | null {
  const sorted = [...profiles].sort((a, b) => (b.last_used_at ?? '').localeCompare(a.last_used_at ?? '') || a.created_at.localeCompare(b.created_at));
  return sorted[0] ?? null;
}

/** Where switching connections lands: the same screen if it shows the whole server (Users, Audit log…), Users if it showed one user of the old one. */
export function landingRoute(r: Route): Route {
  switch (r.name) {
    case 'users':
    case 'organizations':
    case 'sso':
    case 'settings':
    case 'audit':
    case 'connections':
      return { name: r.name };
    case 'organization':
      return { name: 'organizations' };
    case 'keys':
      return { name: 'keys' };
    default:
      return { name: 'users' };
  }
}

/** Where a screen that needs a connection sends an admin who has none: that connection's sign-in, or setup. */
export function entryRoute(profiles: readonly Profile[]): Route {
  const last = lastUsedProfile(profiles);
  return last ? { name: 'sign-in', profileId: last.id } : { name: 'wizard' };
}

/**
 * The connection the screens show and act for: the signed-in one, or none
 * while there is none or while switching to another. Every call that acts on
 * a server names it, and main refuses a call named for any other.
 */
export function currentConnection(s: Pick<AppState, 'status' | 'switching'>): string | null {
  return s.switching || !s.status?.connected ? null : s.status.connection;
}

/**
 * Calls `fn` whenever the current connection changes, synchronously inside
 * the same update, so a store that holds one connection's data is cleared
 * in the very render that shows the change (never one frame later).
 */
export function onConnectionChange(fn: (connection: string | null) => void): () => void {
  return useApp.subscribe((s, prev) => {
    const now = currentConnection(s);
    if (now !== currentConnection(prev)) fn(now);
  });
}

export const useApp = create<AppState>((set, get) => ({
  route: { name: 'wizard' },
  status: null,
  switching: null,
  profiles: [],
  server: null,
  host: 'up',
  booting: true,
  signInNotice: null,
  afterSignIn: null,
  leaving: null,
  reloads: 0,

  navigate(route, opts = {}) {
    if (!opts.force && routeToHash(route) !== routeToHash(get().route)) {
      const message = leaveObjection();
      if (message) {
        // Back/forward already changed the address: put it back while the admin decides.
        if (window.location.hash !== routeToHash(get().route)) window.history.pushState(null, '', routeToHash(get().route));
        return set({ leaving: { to: route, message } });
      }
    }
    let r = route;
    if (NEEDS_CONNECTION.includes(route.name) && !get().status?.connected) {
      set({ afterSignIn: route });
      r = entryRoute(get().profiles);
    }
    // The screen's own query (the Users list's filters) stays when the screen does not change.
    const current = window.location.hash;
    const same = hashToRoute(current);
    const keep = same && routeToHash(same) === routeToHash(r);
    if (!keep) window.history.pushState(null, '', routeToHash(r));
    set({ route: r });
  },

  confirmLeave() {
    const leaving = get().leaving;
    set({ leaving: null });
    if (leaving) get().navigate(leaving.to, { force: true });
  },
  cancelLeave() {
    set({ leaving: null });
  },
  reloadScreen() {
    set({ reloads: get().reloads + 1 });
  },

  async refresh() {
    const [status, profiles, server] = await Promise.all([call('connectionStatus', {}), call('listProfiles', {}), call('bundledServerStatus', {})]);
    set({
      ...(status.ok ? { status: status.value } : {}),
      ...(profiles.ok ? { profiles: profiles.value } : {}),
      ...(server.ok ? { server: server.value } : {}),
    });
  },

  async refreshStatus() {
    const status = await call('connectionStatus', {});
    if (status.ok) set({ status: status.value });
  },

  setStatus(status) {
    set({ status });
  },

  async switchTo(profile) {
    // The same kind of screen on the new connection, from scratch: never a user or key of the old one's ids, never its search.
    const landing = landingRoute(get().route);
    window.history.pushState(null, '', routeToHash(landing));
    set({ switching: profile, route: landing });
    const r = await call('connect', { profileId: profile.id });
    if (r.ok) set({ status: r.value, switching: null });
    else {
      // Still on the old connection (main changes nothing on a failed connect): its screens load again, from scratch.
      const status = await call('connectionStatus', {});
      set({ switching: null, ...(status.ok ? { status: status.value } : {}) });
    }
    void get().refresh();
    return r.ok ? null : r.error;
  },

  setHost(host) {
    if (get().host !== host) set({ host });
  },

  async boot() {
    set({ booting: true, signInNotice: null });
    await get().refresh();
    if (get().host !== 'up') return set({ booting: false });
    // Opened with no screen in the address (the printed URL, a relaunched app): the screen the admin was last on.
    reopenLastPlace();
    const wanted = hashToRoute(window.location.hash);
    let connected = get().status?.connected ?? false;
    // An address that asks for one connection's sign-in card (a bookmark, a link from Connections) gets that card.
    const asked = wanted?.name === 'sign-in' ? get().profiles.find((p) => p.id === wanted.profileId) : undefined;
    if (!connected && asked) {
      set({ booting: false });
      return get().navigate({ name: 'sign-in', profileId: asked.id });
    }
    if (!connected && wanted?.name !== 'connections') {
      const last = lastUsedProfile(get().profiles);
      if (!last) {
        set({ booting: false });
        return get().navigate({ name: 'wizard' });
      }
      if (last.has_credential) {
        const r = await call('connect', { profileId: last.id });
        connected = r.ok;
        if (!r.ok) set({ signInNotice: r.error });
        await get().refresh();
      }
      if (!connected) {
        set({ booting: false, afterSignIn: wanted && NEEDS_CONNECTION.includes(wanted.name) ? wanted : null });
        return get().navigate({ name: 'sign-in', profileId: last.id });
      }
    }
    set({ booting: false });
    get().navigate(wanted && wanted.name !== 'sign-in' && (connected || wanted.name === 'connections') ? wanted : { name: 'users' });
  },

  signedIn() {
    const next = get().afterSignIn;
    set({ afterSignIn: null, signInNotice: null });
    get().navigate(next ?? { name: 'users' }, { force: true });
  },
}));

// Main refused a call prepared for a connection the console has left (another tab or window switched it): show where it is now.
onStaleConnection(() => void useApp.getState().refreshStatus());

// Absent where the stores are unit-tested (Node).
globalThis.window?.addEventListener('popstate', () => {
  const r = hashToRoute(window.location.hash);
  if (r) useApp.getState().navigate(r);
});

// Every screen change is noted at once: a new tab opened after the console stopped still finds it.
useApp.subscribe((s, prev) => {
  if (s.route !== prev.route) rememberPlace();
});
