#!/usr/bin/env node
// `npm start`: the Electron console where its binary is installed, otherwise
// web mode on loopback (the binary cannot be downloaded everywhere; see
// design.md). Says which, then hands the terminal to the child.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when the
    // download was skipped (ELECTRON_SKIP_BINARY_DOWNLOAD=1).
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const passed = process.argv.slice(2);
// Web mode's options are the only ones `npm start` takes (`npm start -- --port 9000`):
// its help needs neither a build nor Electron.
if (passed.includes('--help') || passed.includes('-h')) {
  console.log(
    '`npm start` opens the Electron console where its binary is installed. Otherwise it serves web mode,\nwhich takes the options below (after `--`: npm start -- --port 9000).\n',
  );
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', '--help'], { stdio: 'inherit' });
  process.exit(help.status ?? 1);
}

const electron = electronBinary();
// Web mode serves the built renderer: build it once on a fresh checkout.
if (!electron && !existsSync('out/renderer/index.html')) {
  console.log('Building the console (first start)…');
  const built = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const [command, args] = electron
  ? (console.log('Starting the Electron console'),
    // preview builds main, preload and renderer first, then runs the bundle.
    ['npx', ['electron-vite', 'preview', '--entry', 'out/main/index.js', ...passed]])
  : (console.log('Electron binary not installed: starting web mode on loopback'),
    // What `npm run console:web` runs, in this process's Node, so signals reach it directly.
    [process.execPath, ['--import', 'tsx', 'scripts/console-web.ts', ...passed]]);

// electron-vite finds the binary on its own only through path.txt; hand it the one found here.
const env = electron ? { ...process.env, ELECTRON_EXEC_PATH: electron } : process.env;
const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
