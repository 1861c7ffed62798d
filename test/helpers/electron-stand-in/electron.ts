// The stand-in `electron` module the main bundle gets in place of the real
// one (hooks.ts answers the bare specifier with this file). It offers only
// what src-main/electron/ uses, so a new use fails loudly at link time
// ("does not provide an export named ...") instead of passing unseen; it
// records every call (state.ts) and refuses what Electron refuses
// (registering schemes after ready, a window or the default session before
// it, a second handler for one IPC channel).
import type { App, BrowserWindow as ElectronWindow, BrowserWindowConstructorOptions, Clipboard, CustomScheme, IpcMain, Protocol, Shell } from 'electron';
import type { Json } from './messages.ts';
import { addListener, cancellableEvent, emit, exitAfterReports, makeContents, record, state } from './state.ts';
import type { Listener, PermissionCheckHandler, PermissionRequestHandler, ProtocolHandler } from './state.ts';

const appData = process.env.STAND_IN_APP_DATA;
if (!appData) throw new Error('the electron stand-in needs STAND_IN_APP_DATA (a temp folder for appData)');
const paths = new Map<string, string>([['appData', appData]]);
const readyPromise = new Promise<void>((r) => (state.resolveReady = r));
let quitting = false;

export const app = {
  // From a checkout, as `electron .` runs it.
  isPackaged: false,
  getPath(name: Parameters<App['getPath']>[0]): string {
    record('app.getPath', name);
    // Electron answers every name; main only asks for these two, and a new one should be noticed.
    const p = paths.get(name) ?? (name === 'userData' ? `${appData}/Electron` : undefined);
    if (!p) throw new Error(`the electron stand-in has no path "${name}"`);
    return p;
  },
  setPath(name: Parameters<App['setPath']>[0], path: string): void {
    record('app.setPath', name, path);
    paths.set(name, path);
  },
  requestSingleInstanceLock(): boolean {
    const held = process.env.STAND_IN_LOCK !== 'taken';
    record('app.requestSingleInstanceLock', held);
    return held;
  },
  whenReady(): Promise<void> {
    record('app.whenReady');
    return readyPromise;
  },
  // Untyped against App: it declares one `on` overload per event, and main's listeners are checked against those where main is compiled.
  on(event: string, listener: Listener) {
    record('app.on', event);
    addListener(state.appListeners, event, listener);
    return app;
  },
  /** Electron: `before-quit` (cancellable), then `will-quit` (cancellable), then `quit`, then the process ends. */
  quit(): void {
    record('app.quit');
    if (quitting) return;
    const before = cancellableEvent();
    emit(state.appListeners, 'before-quit', before);
    if (before.defaultPrevented) return record('app.quit prevented by before-quit');
    const will = cancellableEvent();
    emit(state.appListeners, 'will-quit', will);
    if (will.defaultPrevented) return record('app.quit prevented by will-quit');
    quitting = true;
    emit(state.appListeners, 'quit', cancellableEvent(), 0);
    exitAfterReports(0);
  },
  exit(exitCode = 0): void {
    record('app.exit', exitCode);
    quitting = true;
    exitAfterReports(exitCode);
  },
} satisfies Pick<App, 'isPackaged' | 'getPath' | 'setPath' | 'requestSingleInstanceLock' | 'whenReady' | 'quit' | 'exit'> & { on: unknown };

export class BrowserWindow implements Pick<ElectronWindow, 'loadURL' | 'isDestroyed' | 'isMinimized' | 'restore' | 'focus' | 'show'> {
  readonly webContents = makeContents();
  private readonly listeners = new Map<string, Listener[]>();

  constructor(options: BrowserWindowConstructorOptions = {}) {
    if (!state.ready) throw new Error('Cannot create BrowserWindow before app is ready');
    // The options are plain data (sizes, flags, the preload path): JSON keeps all of it.
    record('new BrowserWindow', JSON.parse(JSON.stringify(options)) as Json);
    state.windows.push(this);
  }

  async loadURL(url: string): Promise<void> {
    record('BrowserWindow.loadURL', url);
    this.webContents.mainFrame.url = url;
    // The page painted: Electron's cue for a window created with show: false.
    setImmediate(() => emit(this.listeners, 'ready-to-show', cancellableEvent()));
  }

  once(event: string, listener: Listener): this {
    record('BrowserWindow.once', event);
    const wrapped: Listener = (...args) => {
      const list = this.listeners.get(event) ?? [];
      this.listeners.set(
        event,
        list.filter((l) => l !== wrapped),
      );
      return (listener as (...a: unknown[]) => unknown)(...args);
    };
    addListener(this.listeners, event, wrapped);
    return this;
  }

  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {
    record('BrowserWindow.restore');
  }
  focus(): void {
    record('BrowserWindow.focus');
  }
  show(): void {
    record('BrowserWindow.show');
  }
}

export const ipcMain = {
  handle(channel: string, listener: Parameters<IpcMain['handle']>[1]): void {
    record('ipcMain.handle', channel);
    if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    state.ipcHandlers.set(channel, listener);
  },
} satisfies Pick<IpcMain, 'handle'>;

export const protocol = {
  registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void {
    record('protocol.registerSchemesAsPrivileged', JSON.parse(JSON.stringify(customSchemes)) as Json);
    if (state.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    record('protocol.handle', scheme);
    if (!state.ready) throw new Error('protocol.handle must be called after app is ready');
    state.protocolHandlers.set(scheme, handler);
  },
} satisfies Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>;

const defaultSession = {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    record('session.setPermissionRequestHandler', handler ? 'handler' : null);
    state.permissionRequest = handler;
  },
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    record('session.setPermissionCheckHandler', handler ? 'handler' : null);
    state.permissionCheck = handler;
  },
};

export const session = {
  get defaultSession() {
    if (!state.ready) throw new Error('Session can only be received when app is ready');
    return defaultSession;
  },
};

export const clipboard = {
  readText(): string {
    record('clipboard.readText');
    return clipboardText;
  },
  writeText(text: string): void {
    record('clipboard.writeText', text);
    clipboardText = text;
  },
} satisfies Pick<Clipboard, 'readText' | 'writeText'>;
let clipboardText = '';

export const shell = {
  async openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
  },
} satisfies Pick<Shell, 'openExternal'>;
