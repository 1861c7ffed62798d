#!/usr/bin/env node
// `npm run build:server`, and npm's `prepare` step of every `npm install` /
// `npm ci`: bundles the server and its CLI (src-server/, src-shared/) into
// plain JavaScript under out/server/, so `npx graphistry-admin` and the
// console's bundled server start without compiling TypeScript at every start
// (tsx took about 1 s of start-up and 45 MB of memory). Dependencies stay in
// node_modules (not bundled); nothing built is committed (out/ is ignored).
//
// bin/graphistry-admin.js runs this bundle when it is at least as new as
// every source file, and the sources through tsx otherwise, so an edited
// checkout never runs stale code. Tests run the sources.
//
// The bundle is written to a temp folder and renamed into place, so a
// command starting meanwhile sees the old bundle or the new one, never half.
// Without esbuild (an install that left it out) it says so and exits 0: the
// CLI then runs the sources.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--outdir');
const OUT = outArg !== -1 ? process.argv[outArg + 1] : join(ROOT, 'out', 'server');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (e) {
  console.warn(`build-server: esbuild is not available (${e.message}); graphistry-admin will run its TypeScript sources through tsx`);
  process.exit(0);
}

const tmp = `${OUT}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(dirname(OUT), { recursive: true });
const started = performance.now();
try {
  await esbuild.build({
    absWorkingDir: ROOT,
    // A thread's module is an entry of its own, started from the file beside its starter's chunk
    // (db/writer-port.ts: sqlite-writer-thread.js; backup/backup-service.ts: backup-thread.js),
    // sharing the rest of the code with it.
    entryPoints: {
      cli: 'src-server/cli.ts',
      'sqlite-writer-thread': 'src-server/db/sqlite-writer-thread.ts',
      'backup-thread': 'src-server/backup/backup-thread.ts',
    },
    outdir: tmp,
    bundle: true,
    // The server's own modules load on demand (serve, the runtime), as in the sources: --help stays light.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies are bundled too: loading Kysely's and pg's hundreds of
    // small modules one file at a time was most of a command's start-up.
    // Native addons (and pg's optional native binding) stay in node_modules.
    // @fastify/cookie stays out too: it loads `cookie` with import() at run time, and
    // bundled that way its functions went missing (every page that sets a cookie answered 500).
    external: ['better-sqlite3', '@node-rs/argon2', 'pg-native', '@fastify/cookie'],
    // Bundled CommonJS dependencies require() Node's built-ins.
    banner: { js: "import { createRequire as __gadmRequire } from 'node:module'; const require = __gadmRequire(import.meta.url);" },
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The server pages read their static files next to the module that serves them.
  cpSync(join(ROOT, 'src-server', 'pages', 'static'), join(tmp, 'static'), { recursive: true });
  if (existsSync(OUT)) rmSync(OUT, { recursive: true, force: true });
  renameSync(tmp, OUT);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build-server: ${e.message}`);
  process.exit(1);
}
console.log(`build-server: out/server built in ${Math.round(performance.now() - started)} ms`);
