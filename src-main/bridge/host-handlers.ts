import { join } from 'node:path';
import { createBackendFactory } from '../backend/backend-factory.ts';
import { createClipboardGuard } from '../clipboard/clipboard-guard.ts';
import type { Clipboard, ConsoleHandlers } from '../contracts.ts';
import { createConsoleService } from '../console-service.ts';
import { createProfilesStore } from '../profiles/profiles-store.ts';
import { createBundledServer } from '../server/bundled-server.ts';
import { createBundledBackups } from '../server/bundled-backups.ts';
import type { ServerCommand } from '../server/server-command.ts';
import { createKeychainVault } from '../vault/keychain-vault.ts';

/** What differs between the two hosts of the console (Electron and web mode). */
export interface HostOptions {
  /** The console's own data folder: profiles.json here, the bundled server's data in `server/`. */
  dataDir: string;
  /** How to run the embedded server (Electron runs it on its own Node with ELECTRON_RUN_AS_NODE=1). */
  serverCommand: ServerCommand;
  /** The OS clipboard in Electron; null in web mode, where the page copies (`delegated`). */
  clipboard: Clipboard | null;
}

export interface HostHandlers {
  handlers: ConsoleHandlers;
  /** Stops the bundled server: it must never outlive the console. */
  shutdown(): Promise<void>;
}

/**
 * The console service wired to the real parts: profiles as JSON in the data
 * folder, secrets in the OS keychain, the bundled server as a child process,
 * the embedded server's REST API or a Graphistry's Django admin through axios.
 */
export async function createHostHandlers(opts: HostOptions): Promise<HostHandlers> {
  // The port is kept in the console's folder (not the server's, which belongs to the server).
  const bundled = createBundledServer({
    dataDir: join(opts.dataDir, 'server'),
    portFile: join(opts.dataDir, 'bundled-server.json'),
    command: opts.serverCommand,
  });
  const handlers = createConsoleService({
    profiles: createProfilesStore(opts.dataDir),
    vault: createKeychainVault(),
    bundled,
    backends: createBackendFactory(),
    clipboard: opts.clipboard ? createClipboardGuard(opts.clipboard) : null,
    importJournals: join(opts.dataDir, 'imports'),
    backups: createBundledBackups({ dataDir: join(opts.dataDir, 'server'), backupsDir: join(opts.dataDir, 'backups'), command: opts.serverCommand }),
  });
  return {
    handlers,
    shutdown: async () => {
      await bundled.stop().catch(() => undefined);
    },
  };
}
