#!/usr/bin/env node
// `npm run bench` section `throttle` (alone: `node scripts/bench/throttle.js`):
// what the sign-in throttle costs a failed sign-in now that its counters live
// in the database (shared by every server process), next to the argon2id
// verification every failed sign-in also pays.
//
// WHAT RUNS (this process, the server's own modules through tsx, from
// BENCH_SERVER_ROOT when set, see proc.js):
//   throttle  createLoginThrottle over createThrottleRepo, on SQLite as `serve`
//             runs it (a data dir file, writes through the database thread) and
//             on PostgreSQL (TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test,
//             a fresh schema; skipped when it does not answer). One failed
//             sign-in's throttle work is exactly what auth/password-check.ts
//             does for a wrong password: the slow-lane check (one read), the
//             reservation (account and address counters, one upsert each); a
//             failure settles nothing. Every attempt names a new unknown
//             account, so every one inserts a row (the costlier case), all from
//             one address, under limits high enough that nothing locks.
//             Also shown: a successful sign-in's (the reservation, then
//             clearing the account's counter and giving the address back).
//   argon2id  verify of a wrong password with the server's parameters
//             (ARGON2ID_PARAMS), one at a time, in this process.
//
// HOW: BENCH_ROUNDS rounds; in each, BENCH_THROTTLE_OPS attempts one after
// another (after a warm-up), then BENCH_ARGON2_OPS verifies. Wall time per
// attempt is what the throttle adds to a sign-in's latency; CPU is this
// process's (all threads, the SQLite database thread included; PostgreSQL's
// own backend is another process and not counted). The headline is the
// ratio of the throttle's wall time per failed sign-in to one argon2id
// verification, median of the per-round ratios.
//
// TARGET: at most 0.05 (the throttle adds under 5% to a failed sign-in).
// Last line: BENCH_JSON {...}.
//
// Knobs (env): BENCH_ROUNDS (3), BENCH_THROTTLE_OPS (2000), BENCH_ARGON2_OPS (20).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { register } from 'tsx/esm/api';
import { verify, hash } from '@node-rs/argon2';
import { intEnv, median, PG_URL, printTable, removeOnExit, round, runSection, SERVER_ROOT } from './proc.js';

register();
const server = (path) => import(pathToFileURL(join(SERVER_ROOT, 'src-server', path)).href);
const { openDatabase } = await server('db/database.ts');
const { createThrottleRepo } = await server('auth/throttle-repo.ts');
const { createLoginThrottle } = await server('auth/throttle.ts');
const { systemClock } = await server('lib/clock.ts');
const { ARGON2ID_PARAMS } = await server('lib/password-hasher.ts');

const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const OPS = intEnv('BENCH_THROTTLE_OPS', 2000);
const ARGON2_OPS = intEnv('BENCH_ARGON2_OPS', 20);
const TARGET = 0.05;
const ADDRESS = '2001:db8:42:1::7';

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** `ops` attempts one after another: µs of wall time (p50, p99, mean) and of CPU per attempt. */
async function timed(ops, attempt) {
  const lat = [];
  const cpu0 = cpuUs();
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const s = performance.now();
    await attempt(i);
    lat.push((performance.now() - s) * 1000);
  }
  const wall = (performance.now() - t0) * 1000;
  lat.sort((a, b) => a - b);
  return { p50_us: lat[Math.floor(ops / 2)], p99_us: lat[Math.floor(ops * 0.99)], mean_us: wall / ops, cpu_us: (cpuUs() - cpu0) / ops };
}

async function openThrottle(dialect) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-throttle-'));
  removeOnExit(dataDir);
  let schema = null;
  if (dialect === 'postgres') {
    schema = `bench_throttle_${process.pid}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    await c.end();
  }
  const db = await openDatabase({ dataDir, databaseThread: true, ...(schema ? { databaseUrl: PG_URL, pgSchema: schema } : {}) });
  const throttle = createLoginThrottle({
    repo: createThrottleRepo(db),
    limits: { windowSeconds: 900, accountFailures: 1_000_000, addressFailures: 1_000_000_000 },
    clock: systemClock,
    secretKey: randomBytes(32),
  });
  const close = async () => {
    await db.close();
    if (!schema) return;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  };
  return { throttle, close };
}

async function pgReachable() {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function main() {
  const started = Date.now();
  const stored = await hash('the right password', ARGON2ID_PARAMS);
  const dialects = ['sqlite', ...((await pgReachable()) ? ['postgres'] : [])];
  console.log(
    `throttle: node ${process.version}; ${ROUNDS} rounds x ${OPS} attempts, ${ARGON2_OPS} argon2id verifies; ${dialects.join(', ')}${dialects.includes('postgres') ? '' : ` (PostgreSQL not reachable at ${PG_URL}: skipped)`}`,
  );
  const results = {};
  let run = 0;
  for (const dialect of dialects) {
    const { throttle, close } = await openThrottle(dialect);
    const failed = async (i) => {
      const leave = await throttle.slowLane(ADDRESS);
      await throttle.reservePassword({ name: `ghost-${run}-${i}` }, ADDRESS);
      leave();
    };
    const succeeded = async () => {
      const leave = await throttle.slowLane(ADDRESS);
      await throttle.reservePassword({ userId: 1 }, ADDRESS);
      leave();
      await throttle.settlePassword({ userId: 1 }, ADDRESS, 'success');
    };
    const rounds = [];
    try {
      run++;
      await timed(200, failed); // warm-up: JIT, prepared statements, the database thread, pool connections
      await timed(50, succeeded);
      for (let r = 0; r < ROUNDS; r++) {
        run++;
        const fail = await timed(OPS, failed);
        const ok = await timed(Math.ceil(OPS / 4), succeeded);
        const argon = await timed(ARGON2_OPS, () => verify(stored, 'a wrong password'));
        rounds.push({ fail, ok, argon, ratio: fail.mean_us / argon.mean_us, cpu_ratio: fail.cpu_us / argon.cpu_us });
        console.log(
          `${dialect} round ${r + 1}: failed sign-in ${round(fail.mean_us)} us (cpu ${round(fail.cpu_us)} us), argon2id ${round(argon.mean_us / 1000, 2)} ms: ${round(fail.mean_us / argon.mean_us, 4)}x`,
        );
      }
    } finally {
      await close();
    }
    const pick = (side, k) => round(median(rounds.map((x) => x[side][k])), 1);
    const ratio = round(median(rounds.map((x) => x.ratio)), 4);
    results[dialect] = {
      failed: { p50_us: pick('fail', 'p50_us'), p99_us: pick('fail', 'p99_us'), mean_us: pick('fail', 'mean_us'), cpu_us: pick('fail', 'cpu_us') },
      succeeded: { p50_us: pick('ok', 'p50_us'), p99_us: pick('ok', 'p99_us'), mean_us: pick('ok', 'mean_us'), cpu_us: pick('ok', 'cpu_us') },
      argon2_ms: round(median(rounds.map((x) => x.argon.mean_us)) / 1000, 2),
      argon2_cpu_ms: round(median(rounds.map((x) => x.argon.cpu_us)) / 1000, 2),
      ratio,
      ratio_min: round(Math.min(...rounds.map((x) => x.ratio)), 4),
      ratio_max: round(Math.max(...rounds.map((x) => x.ratio)), 4),
      cpu_ratio: round(median(rounds.map((x) => x.cpu_ratio)), 4),
      target_max: TARGET,
      pass: ratio <= TARGET,
    };
  }

  const rows = [['database', 'sign-in', 'p50 us', 'p99 us', 'mean us', 'cpu us', 'argon2id ms', 'wall ratio (min..max)', 'cpu ratio', 'target', 'result']];
  for (const [dialect, r] of Object.entries(results)) {
    rows.push([
      dialect,
      'failed',
      r.failed.p50_us,
      r.failed.p99_us,
      r.failed.mean_us,
      r.failed.cpu_us,
      r.argon2_ms,
      `${r.ratio} (${r.ratio_min}..${r.ratio_max})`,
      r.cpu_ratio,
      `<= ${TARGET}`,
      r.pass ? 'PASS' : 'FAIL',
    ]);
    rows.push(['', 'succeeded', r.succeeded.p50_us, r.succeeded.p99_us, r.succeeded.mean_us, r.succeeded.cpu_us, '', '', '', '', '']);
  }
  console.log('');
  printTable(rows);
  const elapsed = round((Date.now() - started) / 1000);
  console.log(
    `targets: ${Object.entries(results)
      .map(([d, r]) => `${d} ${r.pass ? 'PASS' : 'FAIL'} (${r.ratio})`)
      .join(', ')}; elapsed ${elapsed} s`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ rounds: ROUNDS, ops: OPS, argon2_ops: ARGON2_OPS, results, all_targets_pass: Object.values(results).every((r) => r.pass), elapsed_s: elapsed })}`,
  );
}

runSection('throttle', main);
