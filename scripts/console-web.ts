// `npm run console:web`: the console without Electron. Serves the built
// renderer (out/renderer, from `npm run build`) and the bridge on a loopback
// port, and prints the one URL to open, token included. Builds nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDispatcher } from '../src-main/bridge/dispatch.ts';
import { loadConsoleHandlers } from '../src-main/bridge/load-service.ts';
import { defaultServerCommand } from '../src-main/server/server-command.ts';
import { createWebHost } from '../src-main/web/web-host.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env.CONSOLE_WEB_PORT ?? '0' }, 'data-dir': { type: 'string' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
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

const host = await createWebHost({ dispatch: createDispatcher(loaded.handlers, { log }), rendererDir, port });
process.stdout.write(`Graphistry Admin console (web mode): ${host.url}\n`);

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
