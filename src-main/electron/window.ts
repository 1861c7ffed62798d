import { BrowserWindow, shell } from 'electron';
import { APP_INDEX_URL, isSafeExternalUrl } from './trust.ts';

/** Hands a link to the OS browser when it is a plain web link; drops anything else. */
function openExternally(url: string) {
  if (isSafeExternalUrl(url)) void shell.openExternal(url);
}

/**
 * The console window. The renderer is untrusted web content as far as the
 * main process is concerned: isolated, sandboxed, no Node, and unable to
 * navigate itself or open windows (a link to the web goes to the OS browser).
 */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Graphistry Admin',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
