import type { ConsoleApi } from '../../src-shared/console-api.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in web mode, where the web bridge stands in. */
    readonly consoleApi?: ConsoleApi;
  }
}
