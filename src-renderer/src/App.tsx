import { useEffect, useState } from 'react';
import type { ConnectionStatus, ConsoleApi } from '../../src-shared/console-api.ts';

interface AppProps {
  api: ConsoleApi | null;
  mode: 'electron' | 'web' | 'none';
}

type Status = { state: 'loading' } | { state: 'ready'; status: ConnectionStatus } | { state: 'error'; message: string };

/** Placeholder shell: proves the bridge answers. The real screens come with the renderer issue. */
export function App({ api, mode }: AppProps) {
  const [status, setStatus] = useState<Status>({ state: 'loading' });

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.connectionStatus({}).then((r) => {
      if (!live) return;
      setStatus(r.ok ? { state: 'ready', status: r.value } : { state: 'error', message: `${r.error.code}: ${r.error.message}` });
    });
    return () => {
      live = false;
    };
  }, [api]);

  if (!api) {
    return (
      <main>
        <h1>Graphistry Admin</h1>
        <p>This page has no console bridge. Open the URL printed by <code>npm run console:web</code>, or start the desktop app.</p>
      </main>
    );
  }
  return (
    <main>
      <h1>Graphistry Admin</h1>
      <p>Bridge: {mode === 'electron' ? 'desktop app' : 'web mode (loopback)'}</p>
      {status.state === 'loading' && <p>Asking the console for its connection…</p>}
      {status.state === 'error' && <p role="alert">{status.message}</p>}
      {status.state === 'ready' && (
        <p>
          {status.status.connected ? `Connected to ${status.status.server_url ?? 'a server'}` : 'Not connected'}
          {status.status.keychain.available ? '' : ` (keychain unavailable: ${status.status.keychain.detail ?? 'unknown reason'})`}
        </p>
      )}
    </main>
  );
}
