import { ensureBuilt, ensureServerBuilt } from './build-outputs.ts';
import { pgReachable, TEST_PG_URL } from './postgres.ts';

/**
 * Decide once which dialects the suite runs on. PostgreSQL is required under
 * CI=true (a skip there is a failure); on a developer machine without it the
 * PostgreSQL half is skipped with a loud message.
 */
export default async function setup(project: { provide: (key: 'dialects', value: string[]) => void }) {
  const wanted = (process.env.TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  const dialects: string[] = [];
  if (wanted.includes('sqlite')) dialects.push('sqlite');
  if (wanted.includes('postgres')) {
    const problem = await pgReachable();
    if (problem === null) dialects.push('postgres');
    else if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${TEST_PG_URL} is required under CI=true: ${problem}`);
    else process.stderr.write(`\n!!! PostgreSQL at ${TEST_PG_URL} is not reachable (${problem}): SKIPPING every PostgreSQL test.\n\n`);
  }
  project.provide('dialects', dialects);
  // Once, before any file runs: the browser tests serve out/renderer, one test runs out/main, and the processes tests start run out/server.
  // Every project of vitest.config.ts calls this setup, in one process: the outputs are built the first time only.
  if (process.env.GADM_OUTPUTS_BUILT === '1') return;
  process.stdout.write(`global setup: ${ensureBuilt()}; ${ensureServerBuilt()}\n`);
  process.env.GADM_OUTPUTS_BUILT = '1';
}
