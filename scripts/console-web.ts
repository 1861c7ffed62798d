// `npm run console:web` (and `npm start` without Electron): the console
// without Electron. Serves the built renderer (out/renderer, from `npm run
// build`) and the bridge on a loopback port, and prints the one URL to open,
// token included. The port and token are kept in the data folder, so the URL
// stays the same from one launch to the next. Builds nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDispatcher } from '../src-main/bridge/dispatch.ts';
import { loadConsoleHandlers } from '../src-main/bridge/load-service.ts';
import { defaultServerCommand } from '../src-main/server/server-command.ts';
import { openWebHost, WEB_HOST_FILE } from '../src-main/web/keep-place.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const say = (msg: string) => process.stdout.write(`${msg}\n`);

const HELP = `Usage: npm start -- [options]     (or: npm run console:web -- [options])

Serves the Graphistry Admin console on 127.0.0.1 for a browser, and prints
the one URL to open; the URL carries the console's token.

The port and the token are kept in the data folder (${WEB_HOST_FILE}, readable
by you only), so the URL stays the same from one launch to the next: a tab
left open reconnects with a reload, on the screen and connection it showed.

Options:
  --port N        serve on port N, and keep it for later launches. --port 0
                  takes a free port (and keeps that one). Without --port: the
                  port of the last launch, or a free one the first time; if
                  another program holds it now, a free one, and it says so.
                  CONSOLE_WEB_PORT=N does the same as --port N.
  --new-token     make a new token: the URLs, bookmarks and open tabs of
                  earlier launches stop working (they show a page asking for
                  the new URL). Use it if the URL may have been seen by others.
  --data-dir DIR  the console's data folder (default: data/console in this
                  checkout, or $GRAPHISTRY_CONSOLE_DATA).
  -h, --help      this text.
`;

let values: { port?: string; 'new-token'?: boolean; 'data-dir'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', ...(process.env.CONSOLE_WEB_PORT ? { default: process.env.CONSOLE_WEB_PORT } : {}) },
      'new-token': { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  log(`${(e as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  say(HELP);
  process.exit(0);
}
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && (values.port?.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)) {
  log(`--port must be a port number (0 picks a free one), not ${JSON.stringify(values.port)}`);
  process.exit(2);
}
// data/ is the server's default data folder and ignored by git; the console keeps its own part of it.
const dataDir = values['data-dir'] ?? process.env.GRAPHISTRY_CONSOLE_DATA ?? join(repo, 'data', 'console');

const rendererDir = join(repo, 'out', 'renderer');
if (!existsSync(join(rendererDir, 'index.html'))) log('console:web: out/renderer is not built; serving a page that says how (npm run build)');

// A console service that fails to start leaves a console that answers
// UNSUPPORTED and says why, rather than none at all.
const loaded = await loadConsoleHandlers(
  () => import('../src-main/bridge/host-handlers.ts'),
  // No clipboard here: the page copies, and the service answers `delegated`.
  { dataDir, serverCommand: defaultServerCommand(), clipboard: null },
  log,
);
if (loaded.source === 'unsupported') log('console:web: no console service; every bridge call answers UNSUPPORTED');

const host = await openWebHost({
  dispatch: createDispatcher(loaded.handlers, { log }),
  rendererDir,
  dataDir,
  port,
  newToken: values['new-token'] ?? false,
  say,
}).catch(async (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') log(`Port ${port} on 127.0.0.1 is taken by another program: choose another with --port N, or --port 0 for a free one.`);
  else if (code === 'EACCES') log(`Port ${port} on 127.0.0.1 needs privileges this user lacks: choose one from 1024 up, or --port 0 for a free one.`);
  else log(`console:web could not listen on 127.0.0.1: ${(e as Error).message}`);
  await loaded.shutdown();
  process.exit(1);
});
// The only place the token is ever written out: the URL to open.
say(`Graphistry Admin console (web mode): ${host.url}`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  // The bundled server must not outlive the console.
  await loaded.shutdown();
  await host.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
