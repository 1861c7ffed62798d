import { app, BrowserWindow, clipboard, ipcMain, protocol, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher } from '../bridge/dispatch.ts';
import { loadConsoleHandlers } from '../bridge/load-service.ts';
import type { ServerCommand } from '../server/server-command.ts';
import { appProtocolResponse } from './app-protocol.ts';
import { registerConsoleIpc } from './ipc.ts';
import { APP_SCHEME, isTrustedFrame } from './trust.ts';
import { createMainWindow } from './window.ts';

// Bundle layout (electron-vite build): out/main/index.js, out/preload/index.cjs,
// out/renderer/; the repository root (or the app.asar root) is two levels up.
const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..');
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'index.cjs');
const log = (msg: string) => process.stderr.write(`${msg}\n`);

// Must run before `ready`: `standard` gives app:// real origins (so 'self' in
// the CSP means the console), `secure` makes it a secure context.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// One data folder whether started from a checkout (`electron out/main/index.js`
// would otherwise be named "Electron") or installed.
app.setPath('userData', join(app.getPath('appData'), 'Graphistry Admin'));

let mainWindow: BrowserWindow | null = null;
let shutdown: () => Promise<void> = async () => undefined;

function showWindow() {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow(preloadPath);
  else if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/**
 * Packaged, the embedded server runs on Electron's own Node (no second
 * runtime to ship; electron-builder rebuilt its native modules for that ABI).
 * From a checkout, node_modules were built for the Node that runs npm, so
 * the server runs on that one.
 */
function serverCommand(): ServerCommand {
  const args = [join(appRoot, 'bin', 'graphistry-admin.js')];
  if (app.isPackaged) return { execPath: process.execPath, args, env: { ELECTRON_RUN_AS_NODE: '1' } };
  return { execPath: process.env.npm_node_execpath ?? 'node', args };
}

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, (request) => appProtocolResponse(rendererDir, request.url, request.method));
  // The console needs no camera, notifications or the like; the main process owns the clipboard.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const loaded = await loadConsoleHandlers(
    () => import('../bridge/host-handlers.ts'),
    {
      dataDir: app.getPath('userData'),
      serverCommand: serverCommand(),
      clipboard: { readText: () => clipboard.readText(), writeText: (text) => clipboard.writeText(text) },
    },
    log,
  );
  if (loaded.source === 'unsupported') log('console: running without a console service; every call answers UNSUPPORTED');
  shutdown = loaded.shutdown;
  const dispatch = createDispatcher(loaded.handlers, { log });
  registerConsoleIpc(ipcMain, dispatch, (event) => {
    const win = mainWindow;
    if (!win || win.isDestroyed() || event.sender !== win.webContents) return false;
    return isTrustedFrame(event.senderFrame, win.webContents.mainFrame);
  });
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let started = false;
  let stopped = false;
  app.on('second-instance', () => started && showWindow());
  app.on('activate', () => started && showWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Stop the bundled server before quitting, so it never outlives the console.
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .then(() => (started = true))
    .catch((err: unknown) => {
      log(`console failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      app.exit(1);
    });
}
