// Child side: what the stand-in `electron` keeps of the main bundle's calls
// (the listeners main registered, so the harness can call them the way
// Electron would) and the channel that reports each call to the test. Shared
// by electron.ts and harness.ts (esbuild splits it into one chunk, so both
// see the same instance).
import type { IpcMain, Protocol, Session, WebContents } from 'electron';
import type { CallRecord, ChildMessage, Json } from './messages.ts';

export type IpcListener = Parameters<IpcMain['handle']>[1];
export type ProtocolHandler = Parameters<Protocol['handle']>[1];
export type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
export type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;
export type WindowOpenHandler = Parameters<WebContents['setWindowOpenHandler']>[0];
export type Listener = (...args: never[]) => unknown;

/** The frame shape main's trust check reads (Electron's WebFrameMain has more). */
export interface StandInFrame {
  url: string;
  processId: number;
  routingId: number;
}

/** What the stand-in's webContents holds for the harness. */
export interface StandInContents {
  readonly id: number;
  readonly mainFrame: StandInFrame;
  readonly listeners: Map<string, Listener[]>;
  windowOpenHandler: WindowOpenHandler | null;
  on(event: string, listener: Listener): StandInContents;
  setWindowOpenHandler(handler: WindowOpenHandler): void;
}

export const state = {
  ready: false,
  /** Resolves whenReady's promise; becomeReady() below calls it. */
  resolveReady: (() => undefined) as () => void,
  seq: 0,
  windows: [] as Array<{ webContents: StandInContents }>,
  ipcHandlers: new Map<string, IpcListener>(),
  protocolHandlers: new Map<string, ProtocolHandler>(),
  permissionRequest: null as PermissionRequestHandler | null,
  permissionCheck: null as PermissionCheckHandler | null,
  appListeners: new Map<string, Listener[]>(),
};

export function send(message: ChildMessage, then?: () => void): void {
  if (!process.send || !process.connected) {
    then?.();
    return;
  }
  process.send(message, undefined, undefined, () => then?.());
}

/** Reports one call to the test. Arguments must already be JSON (functions are described, not sent). */
export function record(call: string, ...args: Json[]): void {
  const entry: CallRecord = { seq: ++state.seq, ready: state.ready, call, args };
  send({ kind: 'record', record: entry });
}

export function addListener(map: Map<string, Listener[]>, event: string, listener: Listener): void {
  const list = map.get(event) ?? [];
  list.push(listener);
  map.set(event, list);
}

/** Tells the test the child is leaving, and leaves once that (and every earlier report) is written. */
export function exitAfterReports(code: number): void {
  send({ kind: 'exiting', code }, () => process.exit(code));
}

/** Electron's event object for cancellable events (before-quit, will-navigate, ...). */
export function cancellableEvent(): { preventDefault(): void; readonly defaultPrevented: boolean } {
  let prevented = false;
  return {
    preventDefault: () => void (prevented = true),
    get defaultPrevented() {
      return prevented;
    },
  };
}

/** Calls every listener of `event` in registration order; answers how many there were. */
export function emit(map: Map<string, Listener[]>, event: string, ...args: unknown[]): number {
  const list = [...(map.get(event) ?? [])];
  for (const listener of list) (listener as (...a: unknown[]) => unknown)(...args);
  return list.length;
}

/** The harness calls this once the main bundle has been evaluated: Electron emits `ready` after the entry script ran. */
export function becomeReady(): void {
  state.ready = true;
  state.resolveReady();
  emit(state.appListeners, 'ready', cancellableEvent(), {});
}

let nextContentsId = 1;

/** A webContents whose main frame lives in its own renderer process (ids as Chromium would give them). */
export function makeContents(): StandInContents {
  const id = nextContentsId++;
  const contents: StandInContents = {
    id,
    mainFrame: { url: '', processId: 100 + id, routingId: 1 },
    listeners: new Map<string, Listener[]>(),
    windowOpenHandler: null,
    on(event, listener) {
      record('webContents.on', event);
      addListener(contents.listeners, event, listener);
      return contents;
    },
    setWindowOpenHandler(handler) {
      record('webContents.setWindowOpenHandler');
      contents.windowOpenHandler = handler;
    },
  };
  return contents;
}
