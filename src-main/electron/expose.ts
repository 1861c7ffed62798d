import { CONSOLE_METHODS, channelOf } from '../../src-shared/console-api.ts';
import type { ConsoleApi } from '../../src-shared/console-api.ts';

/** The part of `ipcRenderer` the preload uses; never exposed itself. */
export type Invoke = (channel: string, params: unknown) => Promise<unknown>;

/**
 * The object the preload exposes as `window.consoleApi`: exactly the
 * contract's methods, built from the one method list so none can be
 * forgotten, each forwarding a single parameters object to its channel.
 * Extra arguments are dropped, so the page cannot smuggle anything else
 * through.
 */
export function buildConsoleApi(invoke: Invoke): ConsoleApi {
  const entries = CONSOLE_METHODS.map((method) => [method, (params: unknown) => invoke(channelOf(method), params)] as const);
  return Object.freeze(Object.fromEntries(entries)) as unknown as ConsoleApi;
}
