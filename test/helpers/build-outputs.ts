// What the browser tests and the Electron main-bundle test run: the build in
// out/ (electron-vite: main, preload, renderer). Built once per run, in the
// suite's global setup, before any test file starts, so two files never
// build into out/ at the same time while a third serves it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const MAIN_BUNDLE = join(REPO, 'out', 'main', 'index.js');
export const PRELOAD_BUNDLE = join(REPO, 'out', 'preload', 'index.cjs');
export const RENDERER_INDEX = join(REPO, 'out', 'renderer', 'index.html');

/** Newest modification time under `dir`, leaving out tests that sit beside the code (the build never includes them). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * out/ must hold a build of the current sources: build it (`npx electron-vite
 * build`, a few seconds) when out/main/index.js, out/preload/index.cjs or
 * out/renderer/index.html is missing or older than anything the build reads
 * (src-main, src-shared, src-renderer, and src-server, parts of which main
 * bundles). Returns what it did, for the log.
 */
export function ensureBuilt(): string {
  const sources = Math.max(
    ...['src-main', 'src-shared', 'src-renderer', 'src-server'].map((d) => newestSource(join(REPO, d))),
    statSync(join(REPO, 'electron.vite.config.ts')).mtimeMs,
  );
  const outputs = [MAIN_BUNDLE, PRELOAD_BUNDLE, RENDERER_INDEX];
  if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return 'out/ is up to date';
  const started = Date.now();
  const r = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (r.status !== 0) {
    throw new Error(`npx electron-vite build failed (status ${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  return `built out/ in ${Date.now() - started} ms`;
}

/**
 * out/server built from the current sources (scripts/build-server.js, about a
 * second), so every command and server a test starts through
 * bin/graphistry-admin.js runs plain JavaScript instead of compiling the
 * TypeScript sources through tsx each time (about a second per process).
 * bin/ still runs the sources whenever one is newer than this build.
 */
export function ensureServerBuilt(): string {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-server.js')], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`scripts/build-server.js failed (status ${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  return `built out/server in ${Date.now() - started} ms`;
}
