import { CONSOLE_METHODS, channelOf } from '../../src-shared/console-api.ts';
import type { Result } from '../../src-shared/console-errors.ts';
import type { Dispatch } from '../bridge/dispatch.ts';

/** The part of Electron's `ipcMain` this needs, so tests can pass a recording stub. */
export interface IpcMainLike<E> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => unknown): void;
}

const FOREIGN_SENDER: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This request did not come from the console window.' },
};

/**
 * One `ipcMain.handle` per contract method, each refusing any sender but the
 * console's own page before the message is even validated: a frame that
 * navigated elsewhere, an iframe or another window must not reach the
 * privileged services. Returns the channels registered.
 */
export function registerConsoleIpc<E>(ipc: IpcMainLike<E>, dispatch: Dispatch, isTrustedSender: (event: E) => boolean): string[] {
  const channels: string[] = [];
  for (const method of CONSOLE_METHODS) {
    const channel = channelOf(method);
    ipc.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event)) return FOREIGN_SENDER;
      // The preload sends exactly one argument; anything else was not built by it.
      if (args.length !== 1) {
        return { ok: false, error: { code: 'VALIDATION', message: `${method} takes exactly one parameters object.` } };
      }
      return dispatch(method, args[0]);
    });
    channels.push(channel);
  }
  return channels;
}
