import { useEffect } from 'react';
import type { ConsoleApi } from '../../src-shared/console-api.ts';
import { setApi } from './lib/api.ts';
import { useApp } from './stores/app-store.ts';
import { followConnection } from './stores/follow-connection.ts';
import { Shell } from './components/shell.tsx';
import { Toasts } from './components/toasts.tsx';
import { LeaveDialog } from './components/leave-dialog.tsx';
import { Spinner } from './components/ui.tsx';
import { WizardScreen } from './screens/wizard/wizard-screen.tsx';
import { ConnectionsScreen } from './screens/connections/connections-screen.tsx';
import { UsersScreen } from './screens/users/users-screen.tsx';
import { UserEditorScreen } from './screens/user-editor/user-editor-screen.tsx';
import { KeysScreen } from './screens/keys/keys-screen.tsx';
import { SettingsScreen } from './screens/settings/settings-screen.tsx';
import { OrganizationsScreen } from './screens/organizations/organizations-screen.tsx';
import { OrgScreen } from './screens/organizations/org-screen.tsx';
import { SsoScreen } from './screens/sso/sso-screen.tsx';
import { ImportScreen } from './screens/import/import-screen.tsx';
import { AuditScreen } from './screens/audit/audit-screen.tsx';
import { SignInScreen } from './screens/sign-in/sign-in-screen.tsx';
import { HostDownPage, TokenPage } from './screens/sign-in/token-page.tsx';

interface AppProps {
  api: ConsoleApi | null;
  mode: 'electron' | 'web' | 'none';
}

function Screen() {
  const route = useApp((s) => s.route);
  switch (route.name) {
    case 'wizard':
      return <WizardScreen />;
    case 'sign-in':
      return <SignInScreen profileId={route.profileId} />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'users':
      return <UsersScreen />;
    case 'user':
      return <UserEditorScreen key={String(route.id)} id={route.id} />;
    case 'keys':
      return <KeysScreen key={String(route.userId ?? 'me')} userId={route.userId} />;
    case 'organizations':
      return <OrganizationsScreen />;
    case 'organization':
      return <OrgScreen key={route.org} org={route.org} />;
    case 'sso':
      return <SsoScreen />;
    case 'import':
      return <ImportScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'audit':
      return <AuditScreen />;
  }
}

export function App({ api, mode }: AppProps) {
  const { booting, route, boot, host, status } = useApp();
  useEffect(() => {
    if (!api) return;
    setApi(api);
    void boot();
    return followConnection();
  }, [api, boot]);

  if (!api) return <TokenPage reason="missing" />;
  if (host === 'token-refused') return <TokenPage reason="refused" />;
  if (booting) {
    return (
      <main className="standalone" aria-busy="true">
        <Spinner label="Starting the console" /> <span className="muted">Starting the console…</span>
      </main>
    );
  }
  // Nothing ever loaded: there is no screen to show offline.
  if (host === 'down' && status === null) return <HostDownPage onRetry={() => void boot()} />;
  return (
    <>
      {route.name === 'wizard' || route.name === 'sign-in' ? (
        <main className="standalone wide" id="main">
          {route.name === 'wizard' ? <WizardScreen /> : <SignInScreen profileId={route.profileId} />}
        </main>
      ) : (
        <Shell>
          <Screen />
        </Shell>
      )}
      <Toasts />
      <LeaveDialog />
      <footer className="sr-only">{mode === 'electron' ? 'Desktop app' : 'Web mode (loopback)'}</footer>
    </>
  );
}
