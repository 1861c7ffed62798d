import { Fragment, useEffect, type ReactNode } from 'react';
import { currentConnection, entryRoute, useApp } from '../stores/app-store.ts';
import { NEEDS_CONNECTION, routeToHash, type Route } from '../lib/route.ts';
import { Spinner } from './ui.tsx';
import { ConnectionSwitcher } from './connection-switcher.tsx';
import { UserMenu } from './user-menu.tsx';

/** How often the header asks whether the console (and the server behind it) still answers. */
export const HEARTBEAT_MS = 10_000;
const HEARTBEAT_OFFLINE_MS = 3_000;

const NAV: Array<{ route: Route; label: string; match: Route['name'][] }> = [
  { route: { name: 'users' }, label: 'Users', match: ['users', 'user'] },
  { route: { name: 'import' }, label: 'Import', match: ['import'] },
  { route: { name: 'organizations' }, label: 'Organizations', match: ['organizations', 'organization'] },
  { route: { name: 'keys' }, label: 'API keys', match: ['keys'] },
  { route: { name: 'sso' }, label: 'Single sign-on', match: ['sso'] },
  { route: { name: 'settings' }, label: 'Registration & settings', match: ['settings'] },
  { route: { name: 'audit' }, label: 'Audit log', match: ['audit'] },
  { route: { name: 'connections' }, label: 'Connections', match: ['connections'] },
];

/** In place of a screen while no connection is there to show: being switched to, or gone (signed out elsewhere). */
function NoConnection() {
  const switching = useApp((s) => s.switching);
  if (switching) {
    return (
      <div className="no-connection" aria-busy="true">
        <Spinner label={`Connecting to ${switching.name}`} /> <span className="muted">Connecting to {switching.name}…</span>
      </div>
    );
  }
  return (
    <div className="no-connection">
      <p>Not connected.</p>
      <button type="button" onClick={() => useApp.getState().navigate(entryRoute(useApp.getState().profiles), { force: true })}>
        Sign in
      </button>
    </div>
  );
}

/** The frame of every connected screen: a sidebar of screens and the connection in the header. */
export function Shell({ children }: { children: ReactNode }) {
  const { route, navigate, status, host, reloadScreen } = useApp();
  const connection = useApp(currentConnection);
  // The header must notice on its own when the console host or the server stops answering (and when it is back).
  useEffect(() => {
    const timer = setInterval(() => void useApp.getState().refreshStatus(), host === 'down' ? HEARTBEAT_OFFLINE_MS : HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [host]);
  // Back to the window after working elsewhere (another admin, the CLI, the server's own pages): the list on screen may be stale.
  useEffect(() => {
    let last = 0;
    const onFocus = () => {
      if (document.visibilityState !== 'visible' || Date.now() - last < 2_000) return;
      last = Date.now();
      useApp.getState().reloadScreen();
      void useApp.getState().refreshStatus();
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, []);
  return (
    <div className="shell">
      {/* First in tab order, past the header and the screens. It moves focus itself: the hash is the app's router. */}
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          Graphistry Admin <span className="muted">console</span>
        </div>
        <div className="topbar-right">
          <ConnectionSwitcher />
          <UserMenu />
        </div>
      </header>
      <nav className="sidebar" aria-label="Screens">
        <ul>
          {NAV.map((n) => {
            const disabled = n.route.name !== 'connections' && !status?.connected;
            const current = n.match.includes(route.name);
            return (
              <li key={n.label}>
                <button
                  type="button"
                  className={`nav ${current ? 'current' : ''}`}
                  aria-current={current ? 'page' : undefined}
                  disabled={disabled}
                  onClick={() => (routeToHash(route) === routeToHash(n.route) ? reloadScreen() : navigate(n.route))}
                >
                  {n.label}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        {/* Keyed by the connection: every screen's own state (an editor, a key list, a dialog) belongs to the sign-in it was loaded under. */}
        {NEEDS_CONNECTION.includes(route.name) && !connection ? <NoConnection /> : <Fragment key={connection ?? 'none'}>{children}</Fragment>}
      </main>
    </div>
  );
}
