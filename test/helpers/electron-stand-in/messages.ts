// What the stand-in `electron` (in the child running out/main/index.js) and
// the test say to each other over the child's IPC channel. JSON only: the
// channel serializes with JSON, so functions stay in the child and the test
// asks the child to call them.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One call the main bundle made into `electron`, in order; `ready` says whether `app` was ready by then. */
export interface CallRecord {
  seq: number;
  ready: boolean;
  /** e.g. `app.setPath`, `protocol.handle`, `new BrowserWindow`, `webContents.on`. */
  call: string;
  args: Json[];
}

/**
 * Who sends an IPC message. `contents`: the console window's webContents or
 * another one; `frame`: that contents' main frame, one of its subframes, or
 * none (a frame already gone, as Electron reports it: `senderFrame` null).
 */
export interface SenderSpec {
  contents: 'window' | 'stranger';
  frame: 'main' | 'subframe' | 'none';
  /** The sending frame's URL. */
  url: string;
}

export interface ProtocolAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the test can ask the child to do, and what each answers. */
export interface Ops {
  /** Call the listener main gave `ipcMain.handle(channel)` with a made-up event from `sender`. */
  invoke: { req: { channel: string; sender: SenderSpec; args: Json[] }; res: Json };
  /** Call the handler main gave `protocol.handle(scheme)` with a GET or HEAD Request for `url`. */
  protocol: { req: { scheme: string; url: string; method: string }; res: ProtocolAnswer };
  /** Ask the window's `setWindowOpenHandler` handler about a window.open / target=_blank to `url`. */
  windowOpen: { req: { url: string }; res: Json };
  /** Emit a webContents navigation event to main's listeners; answers whether one called preventDefault. */
  contentsEvent: { req: { event: 'will-navigate' | 'will-redirect' | 'will-attach-webview'; url: string }; res: { prevented: boolean; listeners: number } };
  /** A page asks for a permission (request handler) or Chromium checks one (check handler). */
  permission: {
    req: { kind: 'request' | 'check'; permission: 'media' | 'notifications' | 'clipboard-read' | 'geolocation' };
    res: { granted: boolean | null };
  };
  /** Emit an `app` event main may listen to (a second launch, a dock click). */
  appEvent: { req: { event: 'second-instance' | 'activate' }; res: { listeners: number } };
  /** `app.quit()`, as the window's close or the OS would: the child exits when quitting is not prevented. */
  quit: { req: Record<string, never>; res: null };
}
export type OpName = keyof Ops;

export type ParentMessage = { [O in OpName]: { id: number; op: O; req: Ops[O]['req'] } }[OpName];

export type ChildMessage =
  | { kind: 'record'; record: CallRecord }
  | { kind: 'reply'; id: number; ok: true; value: Json }
  | { kind: 'reply'; id: number; ok: false; error: string }
  /** The main bundle finished evaluating (or threw doing so) and `ready` was emitted. */
  | { kind: 'loaded'; error: string | null }
  | { kind: 'exiting'; code: number };
