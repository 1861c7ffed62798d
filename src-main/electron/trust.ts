/** The renderer's origin: served by the `app://` protocol (see app-protocol.ts), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** What an IPC event's `senderFrame` (Electron's WebFrameMain) offers that the check needs. */
export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
}

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * An IPC message is trusted only from the console window's main frame while
 * it shows the console's own page. Frames are compared by process and
 * routing id, which identify a frame for its whole life.
 */
export function isTrustedFrame(sender: FrameLike | null, mainFrame: FrameLike | null): boolean {
  if (!sender || !mainFrame) return false;
  return sender.processId === mainFrame.processId && sender.routingId === mainFrame.routingId && isAppUrl(sender.url);
}

/**
 * Links the console may hand to the OS browser: plain http(s), no embedded
 * credentials. Anything else (file:, javascript:, custom schemes that launch
 * local programs) is dropped.
 */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}
