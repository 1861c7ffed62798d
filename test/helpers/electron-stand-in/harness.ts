// The child's entry (plain `node`, ESM): registers the resolve hook that
// answers `electron` with the stand-in, evaluates the built main bundle given
// as argv[2], emits `ready` the way Electron does after the entry script ran,
// then does what the test asks over the IPC channel: calls the listeners main
// registered with the arguments Electron would pass.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { HandlerDetails, IpcMainInvokeEvent, WebContents } from 'electron';
import type { HooksData } from './hooks.ts';
import type { Json, Ops, OpName, ParentMessage, SenderSpec } from './messages.ts';
import { becomeReady, cancellableEvent, emit, makeContents, send, state } from './state.ts';
import type { StandInFrame } from './state.ts';

register<HooksData>(new URL('./hooks.mjs', import.meta.url), { data: { standInUrl: new URL('./electron.mjs', import.meta.url).href } });
// Through the hook, so this is the very instance the main bundle imports.
const electron = await import('electron');

const stranger = makeContents();

function theWindow() {
  const win = state.windows[0];
  if (!win) throw new Error('main has not opened a window');
  return win;
}

/**
 * The parts of Electron's event objects main reads. The stand-in's contents
 * and frames are not whole WebContents / WebFrameMain objects, hence the
 * casts: main compares the sender by identity and reads only url,
 * processId and routingId of a frame.
 */
function ipcEvent(spec: SenderSpec): IpcMainInvokeEvent {
  const contents = spec.contents === 'window' ? theWindow().webContents : stranger;
  const main = contents.mainFrame;
  const frame: StandInFrame | null =
    spec.frame === 'none' ? null : { url: spec.url, processId: main.processId, routingId: spec.frame === 'main' ? main.routingId : main.routingId + 1 };
  return { sender: contents, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}
const windowContents = () => theWindow().webContents as unknown as WebContents;

const handlers: { [O in OpName]: (req: Ops[O]['req']) => Promise<Ops[O]['res']> } = {
  async invoke({ channel, sender, args }) {
    const listener = state.ipcHandlers.get(channel);
    if (!listener) throw new Error(`no ipcMain.handle listener for ${channel}`);
    return (await listener(ipcEvent(sender), ...args)) as Json;
  },

  async protocol({ scheme, url, method }) {
    const handler = state.protocolHandlers.get(scheme);
    if (!handler) throw new Error(`no protocol.handle handler for ${scheme}:`);
    const res = await handler(new Request(url, { method }));
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  },

  async windowOpen({ url }) {
    const handler = theWindow().webContents.windowOpenHandler;
    if (!handler) throw new Error('main set no window open handler');
    const details: HandlerDetails = {
      url,
      frameName: '',
      features: '',
      disposition: 'foreground-tab',
      referrer: { url: theWindow().webContents.mainFrame.url, policy: 'strict-origin-when-cross-origin' },
    };
    return handler(details) as unknown as Json;
  },

  async contentsEvent({ event, url }) {
    const contents = theWindow().webContents;
    const ev = Object.assign(cancellableEvent(), { url });
    const { processId, routingId } = contents.mainFrame;
    // Electron's argument lists: will-navigate / will-redirect (details, url, isInPlace, isMainFrame, processId, routingId);
    // will-attach-webview (event, webPreferences, params).
    const listeners =
      event === 'will-attach-webview'
        ? emit(contents.listeners, event, ev, {}, { src: url })
        : emit(contents.listeners, event, ev, url, false, true, processId, routingId);
    return { prevented: ev.defaultPrevented, listeners };
  },

  async permission({ kind, permission }) {
    if (kind === 'check') {
      if (!state.permissionCheck) throw new Error('main set no permission check handler');
      return {
        granted: state.permissionCheck(windowContents(), permission, 'app://console', {
          requestingUrl: 'app://console/index.html',
          isMainFrame: true,
          embeddingOrigin: 'app://console',
        }),
      };
    }
    const handler = state.permissionRequest;
    if (!handler) throw new Error('main set no permission request handler');
    // Chromium waits for the callback; a handler that never calls it leaves the page waiting (null here).
    return new Promise<{ granted: boolean | null }>((resolve) => {
      const timer = setTimeout(() => resolve({ granted: null }), 1000);
      handler(windowContents(), permission, (granted) => (clearTimeout(timer), resolve({ granted })), {
        requestingUrl: 'app://console/index.html',
        isMainFrame: true,
      });
    });
  },

  async appEvent({ event }) {
    const listeners =
      event === 'second-instance'
        ? emit(state.appListeners, event, cancellableEvent(), ['graphistry-admin'], process.cwd(), {})
        : emit(state.appListeners, event, cancellableEvent(), true);
    return { listeners };
  },

  async quit() {
    // After this answer is sent: the child may exit while quitting.
    setImmediate(() => electron.app.quit());
    return null;
  },
};

process.on('message', (raw) => {
  const msg = raw as ParentMessage;
  const handler = handlers[msg.op] as (req: unknown) => Promise<Json>;
  handler(msg.req).then(
    (value) => send({ kind: 'reply', id: msg.id, ok: true, value }),
    (err: unknown) => send({ kind: 'reply', id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
// The test went away (finished or killed): quit as the OS would ask, so main stops the bundled server.
process.on('disconnect', () => electron.app.quit());

const mainPath = process.argv[2];
if (!mainPath) throw new Error('usage: node harness.mjs <out/main/index.js>');
let loadError: string | null = null;
try {
  await import(pathToFileURL(mainPath).href);
} catch (err) {
  loadError = err instanceof Error ? (err.stack ?? err.message) : String(err);
}
if (loadError) {
  process.stderr.write(`main bundle failed to load: ${loadError}\n`);
  send({ kind: 'loaded', error: loadError }, () => process.exit(1));
} else {
  becomeReady();
  send({ kind: 'loaded', error: null });
}
