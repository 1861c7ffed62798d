#!/usr/bin/env node
// `npm run bench`: throughput of the embedded account server, each figure
// read against a yardstick measured in the same run on the same machine.
//
// What it measures (all over HTTP/1.1 keep-alive on 127.0.0.1, one process each
// for the server, the load generator and the yardsticks, so none shares an
// event loop with another):
//
//   1. baseline       a raw `node:http` hello-world server (scripts/bench/hello-server.js):
//                     the most requests/s Node itself does here with this loader.
//   2. me             GET /api/v2/me with `Authorization: Bearer <jwt>` against the real
//                     server (`node bin/graphistry-admin.js serve`, fresh temp data dir,
//                     SQLite). Each request verifies the JWT (cached after the first
//                     check) and reads the user row (never cached, so revocation works).
//                     Target: me / baseline >= 0.5.
//   3. pkey           POST /api/v2/auth/pkey/jwt/ with `Authorization: PersonalKey id:secret`:
//                     HMAC of the secret, key + user lookups, one audit row written,
//                     one ES256 JWT signed. Reported as a ratio to baseline, no target.
//   4. signin         POST /api/v2/auth/token/generate with the right password. argon2id
//                     (m=19456 KiB, t=2, p=1) is the cost, so it is read against
//   4b. argon2 loop   a bare @node-rs/argon2 `verify` loop (scripts/bench/argon2-loop.js)
//                     with the server's own ARGON2ID_PARAMS and N verifies in flight,
//                     N = the server's hashConcurrency (os.availableParallelism(), or
//                     $HASH_CONCURRENCY when set; the server child inherits it).
//                     The server's semaphore lets N verifies run at once too; the loader
//                     keeps 2*N sign-ins open so that semaphore is never idle between
//                     requests. Target: signin / argon2 loop >= 0.8.
//
// The load generator (scripts/bench/loader.js) keeps a fixed number of requests in
// flight (32 connections for 1-3), discards a 1 s warm-up and counts 5 s. Every
// loop is bounded in time and count. Peak RSS is VmHWM from /proc/<pid>/status of
// the server (after all of 2-4) and of the baseline (after 1).
//
// How to read it: the table gives req/s, latency p50/p99, the CPU the server
// process and the loader used during the run (100% = one core), and the ratio to
// the yardstick with PASS/FAIL per target. A loader near 100% CPU means the loader,
// not the server, set the pace (this inflates the ratio for the row it affects).
// The last line is `BENCH_JSON {...}` with every figure, for scripts.
// Exit code: 0 when every measurement ran cleanly (even if a target FAILs), 1 when a
// measurement errored (a child failed, or any request got an error/unexpected status).
//
// Knobs (env): BENCH_DURATION_MS (5000), BENCH_WARMUP_MS (1000), BENCH_CONNECTIONS (32).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'scripts', 'bench');
const DURATION_MS = intEnv('BENCH_DURATION_MS', 5000);
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 1000);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 32);
const HASH_CONCURRENCY = intEnv('HASH_CONCURRENCY', Math.max(1, availableParallelism()));
const SIGNIN_CONNECTIONS = 2 * HASH_CONCURRENCY;
const TARGETS = { me: 0.5, signin: 0.8 };
const CLK_TCK = 100; // Linux USER_HZ, the unit of utime/stime in /proc/<pid>/stat

function intEnv(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

// ---------------------------------------------------------------- cleanup
const children = new Set();
const tempDirs = new Set();
function cleanup() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`\nbench: ${sig}, stopping children`);
    cleanup();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

// ---------------------------------------------------------------- children
/** The environment of the server child: SQLite in its own data dir, nothing inherited that points elsewhere. */
function serverEnv() {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'LOG_LEVEL', 'SETUP_TOKEN', 'TRUST_PROXY']) delete env[k];
  env.HASH_CONCURRENCY = String(HASH_CONCURRENCY);
  return env;
}

/** Start a server child and resolve with { child, url } once it prints its URL. */
function startServer(label, args, env, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    let done = false;
    const finish = (e, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve(v);
    };
    const timer = setTimeout(() => finish(new Error(`${label}: not listening after ${timeoutMs} ms\n${err}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) finish(null, { child, url: m[1] });
    });
    child.stderr.on('data', (d) => {
      if (err.length < 20_000) err += d;
    });
    child.once('exit', (code, sig) => finish(new Error(`${label}: exited (${code ?? sig}) before listening\n${out}${err}`)));
  });
}

/** Stop a server child: SIGTERM, then SIGKILL if it lingers. */
async function stopServer(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Run a child that prints one JSON line on stdout; resolve with that object. */
function runJsonChild(label, script, spec, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [script, JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: no result after ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      if (err.length < 20_000) err += d;
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${label}: exited (${code ?? sig})\n${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`${label}: unreadable result: ${out.slice(0, 500)}\n${err}`));
      }
    });
  });
}

/**
 * Drive `url` with the loader; also measure the target process's CPU over the
 * run, and how much CPU everything else on the machine took meanwhile
 * (other_cpu_pct: machine busy - server - loader; 100% = one core), since a
 * busy machine skews every figure.
 */
async function load(label, pid, spec) {
  const cpuBefore = cpuTicks(pid);
  const machineBefore = machineBusyTicks();
  const t0 = process.hrtime.bigint();
  const result = await runJsonChild(label, join(BENCH, 'loader.js'), { warmupMs: WARMUP_MS, durationMs: DURATION_MS, ...spec }, WARMUP_MS + DURATION_MS + 30_000);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuAfter = cpuTicks(pid);
  const machineAfter = machineBusyTicks();
  const serverMs = cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) / CLK_TCK) * 1000 : null;
  result.server_cpu_pct = serverMs === null ? null : Math.round((serverMs * 100) / wallMs);
  result.server_cpu_us_per_req = serverMs === null ? null : Math.round((serverMs * 1000) / Math.max(1, result.requests_total));
  if (machineBefore !== null && machineAfter !== null && serverMs !== null) {
    const otherMs = ((machineAfter - machineBefore) / CLK_TCK) * 1000 - serverMs - result.loader_cpu_total_ms;
    result.other_cpu_pct = Math.max(0, Math.round((otherMs * 100) / wallMs));
  } else result.other_cpu_pct = null;
  if (result.errors || result.unexpected_status) {
    throw new Error(`${label}: ${result.errors} error(s), ${result.unexpected_status} unexpected status(es): ${JSON.stringify(result.statuses)}; first: ${result.first_error}`);
  }
  if (result.requests === 0) throw new Error(`${label}: no request completed in the measured window`);
  return result;
}

// ---------------------------------------------------------------- /proc
function peakRssKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
function machineBusyTicks() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    return f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  } catch {
    return null;
  }
}
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- HTTP setup calls
async function call(method, url, { headers = {}, body, expect }) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${url}: expected ${expect}, got ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// ---------------------------------------------------------------- main
const mib = (kb) => (kb === null ? null : Math.round((kb / 1024) * 10) / 10);
const ratio = (a, b) => (b ? Math.round((a / b) * 1000) / 1000 : null);

async function main() {
  const started = Date.now();
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`Graphistry Admin bench: node ${process.version}, ${availableParallelism()} core(s) (${cpu})`);
  console.log(`load: ${CONNECTIONS} keep-alive connections (sign-in: ${SIGNIN_CONNECTIONS}), ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms measured; hashConcurrency N=${HASH_CONCURRENCY}\n`);

  // 1. baseline
  process.stdout.write('[1/5] baseline node:http hello world ... ');
  const hello = await startServer('baseline', [join(BENCH, 'hello-server.js')], process.env);
  const baseline = await load('baseline', hello.child.pid, { url: `${hello.url}/`, connections: CONNECTIONS });
  const baselineRss = peakRssKb(hello.child.pid);
  await stopServer(hello.child);
  console.log(`${baseline.rps} req/s`);

  // 2-4. the account server
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-'));
  tempDirs.add(dataDir);
  const server = await startServer('server', [join(ROOT, 'bin', 'graphistry-admin.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'silent'], serverEnv(), 60_000);
  const base = server.url;
  const username = 'benchadmin';
  const password = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;
  const signup = await call('POST', `${base}/api/v2/auth/signup`, { body: { username, password }, expect: 201 });
  const { token } = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username, password }, expect: 200 });
  const me0 = await call('GET', `${base}/api/v2/me`, { headers: { authorization: `Bearer ${token}` }, expect: 200 });
  if (me0.username !== username) throw new Error(`GET /api/v2/me answered for ${me0.username}`);

  process.stdout.write('[2/5] GET /api/v2/me (Bearer JWT) ... ');
  const me = await load('me', server.child.pid, { url: `${base}/api/v2/me`, headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS });
  console.log(`${me.rps} req/s`);

  process.stdout.write('[3/5] POST /api/v2/auth/pkey/jwt/ ... ');
  const pkey = await load('pkey', server.child.pid, { url: `${base}/api/v2/auth/pkey/jwt/`, method: 'POST', headers: { authorization: signup.key.authorization }, connections: CONNECTIONS });
  console.log(`${pkey.rps} req/s`);

  process.stdout.write('[4/5] POST /api/v2/auth/token/generate ... ');
  const signin = await load('signin', server.child.pid, {
    url: `${base}/api/v2/auth/token/generate`,
    method: 'POST',
    body: { username, password },
    connections: SIGNIN_CONNECTIONS,
    maxRequests: 100_000,
  });
  console.log(`${signin.rps} req/s`);
  const serverRss = peakRssKb(server.child.pid);
  await stopServer(server.child);
  rmSync(dataDir, { recursive: true, force: true });
  tempDirs.delete(dataDir);

  // 4b. the argon2id yardstick, with the server stopped so nothing else competes
  process.stdout.write(`[5/5] bare argon2id verify loop, ${HASH_CONCURRENCY} in flight ... `);
  const argon = await runJsonChild('argon2 loop', join(BENCH, 'argon2-loop.js'), { concurrency: HASH_CONCURRENCY, warmupMs: WARMUP_MS, durationMs: DURATION_MS }, WARMUP_MS + DURATION_MS + 30_000);
  if (argon.errors || !argon.verifies) throw new Error(`argon2 loop: ${argon.errors} wrong verify result(s), ${argon.verifies} verifies`);
  console.log(`${argon.rps} verifies/s\n`);

  // ------------------------------------------------------------ report
  const rows = [
    { key: 'baseline', name: 'baseline: node:http hello world', r: baseline, conns: CONNECTIONS },
    { key: 'me', name: 'GET /api/v2/me (Bearer JWT)', r: me, conns: CONNECTIONS, vs: baseline.rps, target: TARGETS.me },
    { key: 'pkey', name: 'POST /api/v2/auth/pkey/jwt/', r: pkey, conns: CONNECTIONS, vs: baseline.rps },
    { key: 'signin', name: 'POST /api/v2/auth/token/generate', r: signin, conns: SIGNIN_CONNECTIONS, vs: argon.rps, vsName: 'argon2', target: TARGETS.signin },
    { key: 'argon2', name: `argon2id verify loop (N=${HASH_CONCURRENCY})`, r: { rps: argon.rps, latency_ms: argon.latency_ms, server_cpu_pct: null, loader_cpu_pct: null }, conns: HASH_CONCURRENCY },
  ];
  const header = ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'srv cpu', 'ldr cpu', 'ratio', 'target', 'result'];
  const table = [header];
  const results = {};
  let allPass = true;
  for (const row of rows) {
    const rt = row.vs ? ratio(row.r.rps, row.vs) : null;
    const verdict = row.target === undefined ? '' : rt >= row.target ? 'PASS' : 'FAIL';
    if (verdict === 'FAIL') allPass = false;
    results[row.key] = { ...row.r, ...(rt !== null ? { ratio: rt, ratio_to: row.vsName ?? 'baseline' } : {}), ...(row.target !== undefined ? { target: row.target, pass: verdict === 'PASS' } : {}) };
    table.push([
      row.name,
      String(row.conns),
      row.r.rps.toFixed(1),
      fmt(row.r.latency_ms?.p50),
      fmt(row.r.latency_ms?.p99),
      row.r.server_cpu_pct === null || row.r.server_cpu_pct === undefined ? '-' : `${row.r.server_cpu_pct}%`,
      row.r.loader_cpu_pct === null || row.r.loader_cpu_pct === undefined ? '-' : `${row.r.loader_cpu_pct}%`,
      rt === null ? '' : `${rt.toFixed(3)} (vs ${row.vsName ?? 'baseline'})`,
      row.target === undefined ? '' : `>= ${row.target}`,
      verdict,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log(line(table[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table.slice(1)) console.log(line(r));
  console.log('');
  console.log(`peak RSS (VmHWM): server ${mib(serverRss)} MiB, baseline ${mib(baselineRss)} MiB, argon2 loop ${mib(argon.peak_rss_kb)} MiB`);
  if (baseline.loader_cpu_pct >= 90) console.log(`note: the loader used ${baseline.loader_cpu_pct}% CPU on the baseline, so the baseline is partly loader-bound (ratios against it read high).`);
  console.log(`targets: ${allPass ? 'all PASS' : 'some FAIL'}; elapsed ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const json = {
    node: process.version,
    cores: availableParallelism(),
    cpu,
    connections: CONNECTIONS,
    signin_connections: SIGNIN_CONNECTIONS,
    hash_concurrency: HASH_CONCURRENCY,
    warmup_ms: WARMUP_MS,
    duration_ms: DURATION_MS,
    results,
    argon2_params: argon.params,
    peak_rss_kb: { server: serverRss, baseline: baselineRss, argon2_loop: argon.peak_rss_kb },
    all_targets_pass: allPass,
    elapsed_s: Math.round((Date.now() - started) / 100) / 10,
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
}

function fmt(x) {
  return x === null || x === undefined ? '-' : x.toFixed(2);
}

main().then(
  () => {
    cleanup();
    process.exitCode = 0;
  },
  (e) => {
    console.log('');
    console.error(`bench: ERROR: ${e?.stack ?? e}`);
    cleanup();
    process.exitCode = 1;
  },
);
