import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ConsoleApi } from '../../src-shared/console-api.ts';
import { App } from './App.tsx';
import './styles.css';
import { createWebBridge, takeToken } from './bridge/web-bridge.ts';
import { useApp } from './stores/app-store.ts';

// Electron's preload provides the bridge; in web mode the page builds it from
// the token in its URL (then kept for this tab only, and stripped from the address bar).
function pickBridge(): { api: ConsoleApi | null; mode: 'electron' | 'web' | 'none' } {
  if (window.consoleApi) return { api: window.consoleApi, mode: 'electron' };
  const token = takeToken();
  return token ? { api: createWebBridge(token, (s) => useApp.getState().setHost(s)), mode: 'web' } : { api: null, mode: 'none' };
}

const root = document.getElementById('root');
if (root) {
  const { api, mode } = pickBridge();
  createRoot(root).render(
    <StrictMode>
      <App api={api} mode={mode} />
    </StrictMode>,
  );
}
