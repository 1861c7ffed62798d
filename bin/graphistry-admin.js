#!/usr/bin/env node
// Entry of `npx graphistry-admin` (and of the console's bundled server).
// Runs the prebuilt JavaScript in out/server/ (made by `npm install`'s
// prepare step, scripts/build-server.js) when it is at least as new as every
// source file; otherwise the TypeScript sources through tsx, so an edited
// checkout never runs stale code. GRAPHISTRY_ADMIN_FROM_SOURCE=1 always runs
// the sources (the tests do).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../out/server/cli.js', import.meta.url);

/** Newest modification time under a folder (ms), 0 when it cannot be read. */
function newest(dir) {
  let max = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
  } catch {
    /* absent: nothing newer */
  }
  return max;
}

function builtIsFresh() {
  let builtAt;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return false;
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  return newest(`${root}src-server`) <= builtAt && newest(`${root}src-shared`) <= builtAt;
}

let main;
if (process.env.GRAPHISTRY_ADMIN_FROM_SOURCE !== '1' && builtIsFresh()) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src-server/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
