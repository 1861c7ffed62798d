#!/usr/bin/env node
// `npm run bench` section `cli` (alone: `node scripts/bench/cli.js`): how fast
// the command line starts and how much memory an idle server holds.
//
//   help        `graphistry-admin --help` (no database)
//   config get  `graphistry-admin config get IS_SIGNUPS_OPEN_AFTER_FIRST` on a
//               migrated SQLite data dir (opens it, reads one setting)
//   npx help    `npx graphistry-admin --help`, what a user types (npx's own
//               start-up included)
//   serve       time from spawn to the "listening on" line, and the server's
//               RSS once idle (2 s after that line, default log level)
//
// Timings come from Debian's `hyperfine` (warm-up runs, then BENCH_CLI_RUNS
// runs; mean and min) when it is installed, else from a plain spawn loop.
// TARGET: help and config get under 300 ms (mean).
//
// BENCH_CLI_ROOT (or BENCH_SERVER_ROOT, as for every section) =<another
// checkout> measures that one instead (same commands), e.g. a worktree of an
// earlier commit for a before/after.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_ROOT, ensureBuilt, intEnv } from './proc.js';

const ROOT = process.env.BENCH_CLI_ROOT || SERVER_ROOT;
const BIN = join(ROOT, 'bin', 'graphistry-admin.js');
const RUNS = intEnv('BENCH_CLI_RUNS', 10);
const TARGET_MS = 300;
const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-cli-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

const env = { ...process.env };
for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'LOG_LEVEL', 'PORT', 'HOST']) delete env[k];

function mustRun(args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`graphistry-admin ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
}

const hasHyperfine = spawnSync('sh', ['-c', 'command -v hyperfine']).status === 0;
const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;

/** { mean_ms, min_ms, runs, tool } for one shell command line. */
function time(cmdLine) {
  if (hasHyperfine) {
    const out = join(dataDir, 'hyperfine.json');
    const r = spawnSync('hyperfine', ['-N', '-w', '2', '-r', String(RUNS), '--export-json', out, cmdLine], { cwd: ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hyperfine ${cmdLine}: ${r.stderr}`);
    const res = JSON.parse(readFileSync(out, 'utf8')).results[0];
    return { mean_ms: Math.round(res.mean * 1000), min_ms: Math.round(res.min * 1000), runs: res.times.length, tool: 'hyperfine' };
  }
  const times = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    spawnSync('sh', ['-c', cmdLine], { cwd: ROOT, env });
    if (i >= 2) times.push(performance.now() - t0);
  }
  return {
    mean_ms: Math.round(times.reduce((a, b) => a + b, 0) / times.length),
    min_ms: Math.round(Math.min(...times)),
    runs: times.length,
    tool: 'spawn loop',
  };
}

/** Start `serve`, time it to its URL line, read its RSS once idle, stop it. */
function serveOnce() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('serve: no URL line after 30 s'));
    }, 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (!/listening on http/.test(out) || child.readyMs) return;
      child.readyMs = performance.now() - t0;
      setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
        clearTimeout(timer);
        child.once('exit', () => resolve({ ready_ms: Math.round(child.readyMs), idle_rss_kb: kb('VmRSS'), peak_rss_kb: kb('VmHWM') }));
        child.kill('SIGTERM');
      }, 2000);
    });
    child.once('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

ensureBuilt(ROOT);
console.log(`cli: ${ROOT}`);
mustRun(['config', 'list', '--data-dir', dataDir]); // migrate and create .env once
const rows = {
  help: time(`${quote(process.execPath)} ${quote(BIN)} --help`),
  config_get: time(`${quote(process.execPath)} ${quote(BIN)} config get IS_SIGNUPS_OPEN_AFTER_FIRST --data-dir ${quote(dataDir)}`),
  npx_help: time('npx graphistry-admin --help'),
};
const serves = [];
for (let i = 0; i < 3; i++) serves.push(await serveOnce());
const serve = {
  ready_ms: median(serves.map((s) => s.ready_ms)),
  idle_rss_kb: median(serves.map((s) => s.idle_rss_kb)),
  peak_rss_kb: median(serves.map((s) => s.peak_rss_kb)),
};

const verdict = (ms) => (ms < TARGET_MS ? 'PASS' : 'FAIL');
console.log(`\ncommand                      mean ms  min ms  runs  target  result`);
for (const [name, r] of Object.entries(rows)) {
  const target = name === 'npx_help' ? '' : `< ${TARGET_MS}`;
  console.log(
    `${name.padEnd(27)} ${String(r.mean_ms).padStart(8)} ${String(r.min_ms).padStart(7)} ${String(r.runs).padStart(5)}  ${target.padStart(6)}  ${target ? verdict(r.mean_ms) : ''}`,
  );
}
console.log(
  `serve: URL line after ${serve.ready_ms} ms, idle RSS ${(serve.idle_rss_kb / 1024).toFixed(1)} MiB (peak ${(serve.peak_rss_kb / 1024).toFixed(1)} MiB), median of 3 starts`,
);
const pass = rows.help.mean_ms < TARGET_MS && rows.config_get.mean_ms < TARGET_MS;
console.log(`BENCH_JSON ${JSON.stringify({ ...rows, serve, target_ms: TARGET_MS, all_targets_pass: pass })}`);
