#!/usr/bin/env node
// `npm test`: type-check and lint, then the whole suite on every dialect (SQLite and
// PostgreSQL), then one closing line "N passed, N failed". Under CI=true a
// skipped test is a failure: every system part must be present there.
//
// Where dbus-run-session and gnome-keyring-daemon exist, vitest runs inside a
// throwaway D-Bus session with its own unlocked gnome-keyring, so the keychain
// tests use a real Secret Service. The keyring's files live in a temp folder
// (XDG_DATA_HOME): a developer's own login keyring is never opened, unlocked
// with a wrong password, or filled with test entries. Elsewhere vitest runs
// plainly and the keychain tests skip with a loud message.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const extra = process.argv.slice(2);
if (!extra.length) {
  console.log('> typecheck');
  if (run('npm', ['run', '--silent', 'typecheck']) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log('> lint');
  if (run('npm', ['run', '--silent', 'lint']) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
// A report left by an earlier run must not be counted if vitest never starts.
rmSync(report, { force: true });
const vitest = ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra];
const has = (cmd) => spawnSync('sh', ['-c', 'command -v "$1" >/dev/null', 'sh', cmd]).status === 0;
let status;
if (has('dbus-run-session') && has('gnome-keyring-daemon')) {
  const home = mkdtempSync(join(tmpdir(), 'gadm-keyring-'));
  // The daemon forks and lives as long as the session bus, which ends with vitest.
  const inSession =
    'printf %s test-keyring | XDG_DATA_HOME="$GADM_KEYRING_HOME" XDG_RUNTIME_DIR="$GADM_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null' +
    ' || echo "!!! gnome-keyring-daemon did not start: the keychain tests will skip" >&2; exec "$@"';
  console.log('> vitest in a throwaway D-Bus session with gnome-keyring (real keychain tests)');
  try {
    status = run('dbus-run-session', ['--', 'sh', '-c', inSession, 'sh', ...vitest], { GADM_KEYRING_HOME: home });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
} else {
  console.log('> vitest without a keychain session (dbus-run-session or gnome-keyring-daemon missing: keychain tests skip)');
  status = run(vitest[0], vitest.slice(1));
}
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
