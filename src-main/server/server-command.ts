import { fileURLToPath } from 'node:url';
import { SERVER_ENV_NAMES } from '../../src-shared/server-env.ts';

/** How to run `graphistry-admin`: an executable and the arguments before `serve`. */
export interface ServerCommand {
  execPath: string;
  args: string[];
  /** Added to the child's environment, e.g. ELECTRON_RUN_AS_NODE=1 when execPath is Electron. */
  env?: Record<string, string>;
}

/** This Node running the repository's CLI entry (the prebuilt bundle when fresh, else the sources through tsx). */
export function defaultServerCommand(): ServerCommand {
  return { execPath: process.execPath, args: [fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url))] };
}

export function serveArgs(command: ServerCommand, opts: { port: number; dataDir: string }): string[] {
  return [...command.args, 'serve', '--host', '127.0.0.1', '--port', String(opts.port), '--data-dir', opts.dataDir];
}

/**
 * The child's environment. The server reads its settings from the
 * environment, so the console's own (a DATABASE_URL or SETUP_TOKEN meant for
 * another server, a PORT) would silently change the bundled one: it must use
 * its data folder, on loopback, with no sign-up token the console cannot know.
 */
export function serveEnv(command: ServerCommand, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  const serverSettings = new Set<string>(Object.values(SERVER_ENV_NAMES));
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !serverSettings.has(name)) env[name] = value;
  }
  return {
    ...env,
    ...command.env,
    LOG_LEVEL: 'info',
    // Stop when the console's end of the stdin pipe closes (see src-server/cli/serve.ts).
    GRAPHISTRY_ADMIN_STOP_ON_STDIN_EOF: '1',
  };
}
