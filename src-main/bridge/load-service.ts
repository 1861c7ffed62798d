import { CONSOLE_METHODS } from '../../src-shared/console-api.ts';
import type { ConsoleMethod } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { ConsoleHandlers } from '../contracts.ts';
import type { HostHandlers, HostOptions } from './host-handlers.ts';

/**
 * A table that answers UNSUPPORTED for everything: what a host runs when the
 * console service is absent or broken, so the renderer still loads and says
 * so plainly instead of the whole console failing to open.
 */
export function unsupportedHandlers(reason: string): ConsoleHandlers {
  const entries = CONSOLE_METHODS.map((m: ConsoleMethod) => [
    m,
    async () => {
      throw new ConsoleFailure({ code: 'UNSUPPORTED', message: reason });
    },
  ]);
  return Object.fromEntries(entries) as ConsoleHandlers;
}

type HostModule = typeof import('./host-handlers.ts');

export interface LoadedHandlers extends HostHandlers {
  source: 'service' | 'unsupported';
}

/**
 * Loads the wired console service (host-handlers.ts) through `importer`, a
 * dynamic import. A module that fails to load or to start is logged and
 * replaced by UNSUPPORTED answers.
 */
export async function loadConsoleHandlers(importer: () => Promise<HostModule>, options: HostOptions, log: (msg: string) => void): Promise<LoadedHandlers> {
  const fallback = (reason: string): LoadedHandlers => ({ handlers: unsupportedHandlers(reason), shutdown: async () => undefined, source: 'unsupported' });
  try {
    const mod = await importer();
    return { ...(await mod.createHostHandlers(options)), source: 'service' };
  } catch (err) {
    log(`console service failed to load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return fallback('The console service failed to start; see the console log.');
  }
}
