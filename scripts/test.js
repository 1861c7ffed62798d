#!/usr/bin/env node
// `npm test`: type-check, then the whole suite on every dialect (SQLite and
// PostgreSQL), then one closing line "N passed, N failed". Under CI=true a
// skipped test is a failure: every system part must be present there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const extra = process.argv.slice(2);
if (!extra.length) {
  console.log('> typecheck');
  if (run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped = r.numPendingTests + r.numTodoTests;
}
if (status !== 0 && failed === 0) failed = 1;
if (process.env.CI === 'true' && skipped > 0) {
  console.log(`\n${skipped} test(s) skipped under CI=true: every system part must be installed in CI.`);
  failed += skipped;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
