#!/usr/bin/env node
// `npm run bench` section `stalls` (alone: `node scripts/bench/stalls.js`):
// does anything stall the server's event loop under a mixed load?
//
// The server (`serve`, default log level, SQLite with 10,000 seeded users) runs
// with a bench-only hook (scripts/bench/loop-delay-hook.js, `node --import`)
// that records perf_hooks.monitorEventLoopDelay at 1 ms resolution. For
// BENCH_STALLS_S (30) seconds, wrk keeps BENCH_STALLS_CONNECTIONS (8)
// connections cycling through /me (both token kinds), the key exchange
// (an audit row each), verify, refresh and the admin list (first page, a
// search, a deep page), paced at about BENCH_STALLS_RATE (1000) requests a
// second, while a second wrk keeps password sign-ins going (argon2id,
// last-login update and audit row each; about BENCH_STALLS_SIGNIN_RATE (10)
// a second over BENCH_STALLS_SIGNINS (2) connections).
//
// THE CONTROL: an idle node process with the same hook runs beside the server
// for the same window. Its loop has nothing to do, so whatever delay it sees
// is the machine's: the kernel running the loader, the hashing threads or a
// neighbour on the CPU it wanted. That is the floor any process gets here.
//
// Reported: the delay (how late the 1 ms timer ran) of the server and of the
// control; the server's OWN delay, that is the same less the main thread's
// waits for a CPU (its CPU time, its GC, any lock or I/O it slept in: what
// the server itself held the loop for); GC pauses by kind.
// TARGET: no stall over 2 ms, read two ways: the server's own delay (what its
// code and runtime can answer for), and the plain delay, which on a machine
// whose control is already late by more says more about the machine.
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH, ROOT, call, ensureBuilt, printTable, removeOnExit, round, startChild, stopChild, runSection } from './proc.js';
import { hasWrk, runWrk } from './wrk.js';
import { seedSqlite } from './seed.js';

const SECONDS = Number(process.env.BENCH_STALLS_S) || 30;
const CONNECTIONS = Number(process.env.BENCH_STALLS_CONNECTIONS) || 8;
const RATE = Number(process.env.BENCH_STALLS_RATE ?? 1000);
const SIGNIN_RATE = Number(process.env.BENCH_STALLS_SIGNIN_RATE ?? 10);
/** Each connection's mean gap between requests for `rate` requests a second over `connections` (0: none). */
const gap = (rate, connections) => (rate > 0 ? (connections * 1000) / rate : 0);
const TARGET_MS = 2;
const SIGNIN_CONNECTIONS = Number(process.env.BENCH_STALLS_SIGNINS ?? 2);

async function loopDelay(child, file) {
  rmSync(file, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error('the loop-delay hook did not answer');
}

async function main() {
  if (!hasWrk()) throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-stalls-'));
  removeOnExit(dataDir);
  const delayFile = join(dataDir, 'loop-delay.json');
  const controlFile = join(dataDir, 'control-delay.json');
  const env = { ...process.env, BENCH_LOOP_DELAY_FILE: delayFile };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'LOG_LEVEL', 'SETUP_TOKEN', 'TRUST_PROXY']) delete env[k];
  const control = await startChild('control process', ['--input-type=module', '-e', "console.log('ready'); setInterval(() => {}, 1 << 30);"], {
    env: { ...process.env, BENCH_LOOP_DELAY_FILE: controlFile },
    nodeArgs: ['--import', join(BENCH, 'loop-delay-hook.js')],
    ready: /ready/,
  });
  const server = await startChild('account server', [join(ROOT, 'bin', 'graphistry-admin.js'), 'serve', '--data-dir', dataDir, '--port', '0'], {
    env,
    // BENCH_STALLS_NODE_ARGS: more node options for the server, e.g. `--cpu-prof --cpu-prof-interval 200` to see a stall's stack.
    nodeArgs: ['--import', join(BENCH, 'loop-delay-hook.js'), ...(process.env.BENCH_STALLS_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    stderrTo: openSync(join(dataDir, 'server.log'), 'a'),
  });
  const base = server.match[1];
  const password = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;
  const signup = await call('POST', `${base}/api/v2/auth/signup`, { body: { username: 'benchadmin', password }, expect: 201 });
  const { token } = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username: 'benchadmin', password } });
  const keyToken = (await call('POST', `${base}/api/v2/auth/pkey/jwt/`, { headers: { authorization: signup.key.authorization } })).token;
  seedSqlite(join(dataDir, 'graphistry-admin.sqlite3'), 10_000);
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  const mix = [
    { path: '/api/v2/me', headers: bearer(token) },
    { path: '/api/v2/me', headers: bearer(keyToken) },
    { method: 'POST', path: '/api/v2/auth/pkey/jwt/', headers: { authorization: signup.key.authorization } },
    { method: 'POST', path: '/api/v2/auth/token/verify', body: { token } },
    { method: 'POST', path: '/api/v2/auth/token/refresh', body: { token } },
    { path: '/api/v2/admin/users', headers: bearer(token) },
    { path: '/api/v2/admin/users?search=smith', headers: bearer(token) },
    { path: '/api/v2/admin/users?page=300&ordering=-last_login', headers: bearer(token) },
  ];
  const signin = { method: 'POST', path: '/api/v2/auth/token/generate', body: { username: 'benchadmin', password }, gapMs: gap(SIGNIN_RATE, SIGNIN_CONNECTIONS) };
  const target = { origin: base, pid: server.child.pid, gapMs: gap(RATE, CONNECTIONS) };

  const pace = (rate) => (rate > 0 ? `about ${rate}/s` : 'as fast as answered');
  console.log(`stalls: warm-up, then ${SECONDS} s of mixed load (${pace(RATE)}, ${CONNECTIONS} connections over ${mix.length} requests) plus password sign-ins (${pace(SIGNIN_RATE)}, ${SIGNIN_CONNECTIONS} connections)`);
  const signins = (durationS) => (SIGNIN_CONNECTIONS > 0 ? runWrk({ origin: base, ...signin, connections: SIGNIN_CONNECTIONS, durationS }) : Promise.resolve({ requests: 0, rps: 0, p50_ms: 0, p99_ms: 0, max_ms: 0, errors: 0, non2xx: 0 }));
  await Promise.all([runWrk({ ...target, mix, connections: CONNECTIONS, durationS: 3 }), signins(3)]);
  // Both windows start afresh together.
  await Promise.all([loopDelay(server.child, delayFile), loopDelay(control.child, controlFile)]);
  const [load, signedIn] = await Promise.all([runWrk({ ...target, mix, connections: CONNECTIONS, durationS: SECONDS }), signins(SECONDS)]);
  const [delay, floor] = await Promise.all([loopDelay(server.child, delayFile), loopDelay(control.child, controlFile)]);
  await Promise.all([stopChild(server.child), stopChild(control.child)]);
  for (const r of [load, signedIn]) if (r.errors || r.non2xx) throw new Error(`mixed load: ${r.errors} socket error(s), ${r.non2xx} non-2xx answer(s)`);

  console.log('');
  printTable([
    ['load', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms'],
    ['mixed API requests', load.requests, round(load.rps), load.p50_ms, load.p99_ms, load.max_ms],
    ['password sign-ins', signedIn.requests, round(signedIn.rps), signedIn.p50_ms, signedIn.p99_ms, signedIn.max_ms],
  ]);
  const d = (x) => `max ${x.delay_max_ms} ms, p99.9 ${x.delay_p999_ms}, p99 ${x.delay_p99_ms}, p50 ${x.delay_p50_ms}`;
  console.log(`\nserver CPU ${round((load.server_cpu_ms / (load.wall_ms || 1)) * 100)}% of a core; ${delay.samples} samples at 1 ms over ${delay.window_s} s`);
  printTable([
    ['event loop', 'delay (ms)', 'less waits for a CPU', 'waited for a CPU', 'latest tick'],
    ['server', d(delay), `max ${delay.own_delay_max_ms} ms (${delay.own_delays_over_2ms} over 2 ms)`, `${delay.cpu_wait_ms} ms`, tick(delay.worst_tick)],
    ['control (idle node)', d(floor), `max ${floor.own_delay_max_ms} ms`, `${floor.cpu_wait_ms} ms`, tick(floor.worst_tick)],
  ]);
  console.log(`server: GC longest pause ${delay.gc_max_ms} ms (${delay.gc_max_kind}), ${delay.gc_pauses_over_2ms} over 2 ms ${JSON.stringify(delay.gc_over_2ms_by_kind)}, heap ${delay.heap_used_mb} MiB used; longest CPU between two ticks ${delay.busy_between_ticks_max_ms} ms (${delay.busy_between_ticks_over_2ms} over 2 ms)`);
  const pass = { own: delay.own_delay_max_ms <= TARGET_MS, plain: delay.delay_max_ms <= TARGET_MS };
  console.log(`target: no stall over ${TARGET_MS} ms: the server's own delay ${pass.own ? 'PASS' : 'FAIL'} (max ${delay.own_delay_max_ms} ms); its plain delay ${pass.plain ? 'PASS' : 'FAIL'} (max ${delay.delay_max_ms} ms, the idle control's ${floor.delay_max_ms} ms)`);
  console.log(`BENCH_JSON ${JSON.stringify({ seconds: SECONDS, connections: CONNECTIONS, rate: RATE, signin_rate: SIGNIN_RATE, mixed: { requests: load.requests, rps: round(load.rps), p50_ms: load.p50_ms, p99_ms: load.p99_ms }, signins: { connections: SIGNIN_CONNECTIONS, requests: signedIn.requests, rps: round(signedIn.rps) }, loop_delay: delay, control: floor, target_ms: TARGET_MS, pass })}`);
}

/** A tick's wall-clock gap split up, for the table. */
const tick = (t) => (t ? `${t.wall_ms} ms = cpu ${t.cpu_ms} + wait ${t.cpu_wait_ms} + asleep ${t.asleep_ms} (${t.runs} run${t.runs === 1 ? '' : 's'})` : '');

runSection('stalls', main);
