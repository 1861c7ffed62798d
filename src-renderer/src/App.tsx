import { useEffect } from 'react';
import type { ConsoleApi } from '../../src-shared/console-api.ts';
import { setApi } from './lib/api.ts';
import { useApp } from './stores/app-store.ts';
import { Shell } from './components/shell.tsx';
import { Toasts } from './components/toasts.tsx';
import { Spinner } from './components/ui.tsx';
import { WizardScreen } from './screens/wizard/wizard-screen.tsx';
import { ConnectionsScreen } from './screens/connections/connections-screen.tsx';
import { UsersScreen } from './screens/users/users-screen.tsx';
import { UserEditorScreen } from './screens/user-editor/user-editor-screen.tsx';
import { KeysScreen } from './screens/keys/keys-screen.tsx';
import { SettingsScreen } from './screens/settings/settings-screen.tsx';
import { AuditScreen } from './screens/audit/audit-screen.tsx';

interface AppProps {
  api: ConsoleApi | null;
  mode: 'electron' | 'web' | 'none';
}

function Screen() {
  const route = useApp((s) => s.route);
  switch (route.name) {
    case 'wizard':
      return <WizardScreen />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'users':
      return <UsersScreen />;
    case 'user':
      return <UserEditorScreen key={String(route.id)} id={route.id} />;
    case 'keys':
      return <KeysScreen key={String(route.userId ?? 'me')} userId={route.userId} />;
    case 'settings':
      return <SettingsScreen />;
    case 'audit':
      return <AuditScreen />;
  }
}

export function App({ api, mode }: AppProps) {
  const { booting, bootError, route, boot } = useApp();
  useEffect(() => {
    if (!api) return;
    setApi(api);
    void boot();
  }, [api, boot]);

  if (!api) {
    return (
      <main className="standalone">
        <h1>Graphistry Admin</h1>
        <p>This page has no console bridge. Open the URL printed by <code>npm run console:web</code>, or start the desktop app.</p>
      </main>
    );
  }
  if (booting) {
    return (
      <main className="standalone" aria-busy="true">
        <Spinner label="Starting the console" /> <span className="muted">Starting the console…</span>
      </main>
    );
  }
  return (
    <>
      {route.name === 'wizard' ? (
        <main className="standalone wide" id="main">
          {bootError ? <div className="banner error" role="alert">{bootError}</div> : null}
          <WizardScreen />
        </main>
      ) : (
        <Shell>
          <Screen />
        </Shell>
      )}
      <Toasts />
      <footer className="sr-only">{mode === 'electron' ? 'Desktop app' : 'Web mode (loopback)'}</footer>
    </>
  );
}
