import { contextBridge, ipcRenderer } from 'electron';
import { buildConsoleApi } from './expose.ts';

// Sandboxed preload, bundled into one CommonJS file (electron.vite.config.ts):
// the page gets `window.consoleApi` with exactly the contract's methods, and
// never `ipcRenderer` itself, which would let it call any channel.
contextBridge.exposeInMainWorld(
  'consoleApi',
  buildConsoleApi((channel, params) => ipcRenderer.invoke(channel, params)),
);
