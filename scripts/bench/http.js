#!/usr/bin/env node
// `npm run bench` section `http` (alone: `node scripts/bench/http.js`):
// throughput of the embedded account server, each figure
// read against a yardstick measured in the same run on the same machine.
//
// WHAT IT MEASURES (HTTP/1.1 keep-alive on 127.0.0.1; the server, each
// yardstick and the load generator are separate processes, so none shares an
// event loop with another):
//
//   baseline  a raw `node:http` hello-world server (scripts/bench/hello-server.js):
//             what Node itself does on this machine with this load generator.
//   me        GET /api/v2/me with `Authorization: Bearer <jwt>` against the real
//             server (`node bin/graphistry-admin.js serve`, fresh temp data dir,
//             SQLite, hashConcurrency as below). Per request: JWT check (cached
//             after the first verify) and a user-row read (never cached, so
//             deactivation and revocation bite at once).
//             TARGET: me / baseline >= 0.5.
//   pkey      POST /api/v2/auth/pkey/jwt/ with `Authorization: PersonalKey id:secret`:
//             HMAC of the secret, key and user reads, one audit row written, one
//             ES256 JWT signed. Ratio to baseline reported, no target.
//   signin    POST /api/v2/auth/token/generate with the right password; argon2id
//             (m=19456 KiB, t=2, p=1) is the cost, so it is read against
//   argon2    a bare @node-rs/argon2 `verify` loop (scripts/bench/argon2-loop.js)
//             using the server's own ARGON2ID_PARAMS with N verifies in flight,
//             N = the server's hashConcurrency = os.availableParallelism()
//             ($HASH_CONCURRENCY when set; the server child gets the same value).
//             The server's semaphore also runs N verifies at once; the loader keeps
//             2*N sign-ins open so that semaphore never idles between requests.
//             TARGET: signin / argon2 >= 0.8.
//
// HOW: the load generator (scripts/bench/loader.js) is one long-lived process that
// keeps a fixed number of requests in flight (32 keep-alive connections for
// baseline/me/pkey, reused across slices) and counts completions in a timed window.
// Small or shared machines are noisy, so instead of one long run per scenario the
// bench interleaves short slices: after a 1 s warm-up per scenario, 12 rounds of
// [baseline, me, pkey] x 400 ms, then 6 rounds of [signin, argon2] x 1 s, rotating
// the order each round. It watches /proc/stat during every slice: a round in which
// other processes (anything but the measured process and the loader) used >= 35%
// of a core is left out, and a few extra rounds are run (bounded in count and
// time) while fewer than half the rounds were clean. Each ratio is the MEDIAN of
// the per-round ratios of the clean rounds (min..max shown); req/s is the median
// per-round rate. With fewer than 3 clean rounds it falls back to every round and
// marks the verdict with "?" (noisy: re-run on an idle machine). Before each round
// it also waits briefly (bounded) for the machine to go idle. Peak RSS is VmHWM
// from /proc/<pid>/status at the end. The whole run takes about 45-80 s.
//
// HOW TO READ IT: one line per round while it runs, then a table: req/s, latency
// p50/p99 in ms (2% buckets), "srv cpu" = CPU of the measured process (server, hello
// server, or argon2 loop incl. its threads; 100% = one core), "us/req" = server CPU
// time per request, "ldr cpu" = the load generator's, "other" = median CPU of
// everything else on the machine during the used rounds, "rounds" = used/total.
// A loader near 100% means the loader, not the server, set the pace of that row (on
// the baseline this makes ratios against it read high). The last line is
// `BENCH_JSON {...}` with every figure (including per-round rates) for scripts.
// Exit code 0 when every measurement ran cleanly, even if a target FAILs; 1 when
// a measurement errored (a child failed, or any request got an error or an
// unexpected status). Children and the temp data dir are removed on exit.
//
// Knobs (env): BENCH_CONNECTIONS (32), BENCH_HTTP_ROUNDS (12), BENCH_HTTP_SLICE_MS
// (400), BENCH_SIGNIN_ROUNDS (6), BENCH_SIGNIN_SLICE_MS (1000),
// BENCH_QUIET_BUDGET_MS (15000), HASH_CONCURRENCY.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { merge, summary } from './histogram.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..', '..');
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 32);
const HTTP_ROUNDS = intEnv('BENCH_HTTP_ROUNDS', 12);
const HTTP_SLICE_MS = intEnv('BENCH_HTTP_SLICE_MS', 400);
const SIGNIN_ROUNDS = intEnv('BENCH_SIGNIN_ROUNDS', 6);
const SIGNIN_SLICE_MS = intEnv('BENCH_SIGNIN_SLICE_MS', 1000);
const WARMUP_MS = 1000; // once per scenario, before its first counted slice
const SLICE_WARMUP_MS = 50; // at the start of every slice: the pipeline refills (connections stay open)
const SIGNIN_WARMUP_MS = 100; // the same for sign-in slices (the hash semaphore refills)
const HASH_CONCURRENCY = intEnv('HASH_CONCURRENCY', Math.max(1, availableParallelism()));
const SIGNIN_CONNECTIONS = 2 * HASH_CONCURRENCY;
const TARGETS = { me: 0.5, signin: 0.8 };
const QUIET_BUDGET_MS = intEnv('BENCH_QUIET_BUDGET_MS', 15_000);
const CLEAN_OTHER_PCT = 35; // a slice is "clean" when other processes used less than this (% of one core)
const MIN_CLEAN_ROUNDS = 3; // fewer clean rounds than this: use every round and flag the figures noisy
const HTTP_PHASE_DEADLINE_MS = 45_000; // extra HTTP rounds (beyond the minimum) stop after this much run time
const SIGNIN_PHASE_DEADLINE_MS = 72_000; // extra sign-in rounds stop after this much run time
const QUIET_PER_ROUND_MS = 1500;
const QUIET_BUSY_PCT = 25; // machine busy (% of one core) under which it counts as idle
const CLK_TCK = 100; // Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat

function intEnv(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

// ------------------------------------------------------------------ cleanup
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

function spawnTracked(args, opts) {
  const child = spawn(process.execPath, args, { cwd: ROOT, ...opts });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const isAlive = (child) => child.exitCode === null && child.signalCode === null;

// ------------------------------------------------------------------ children
/** The server child's environment: SQLite in its own data dir, nothing inherited that points elsewhere. */
function serverEnv() {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'LOG_LEVEL', 'SETUP_TOKEN', 'TRUST_PROXY']) delete env[k];
  env.HASH_CONCURRENCY = String(HASH_CONCURRENCY);
  return env;
}

/** Start a child and resolve with { child, match } once a stdout line matches `ready`. */
function startChild(label, args, { env = process.env, ready, timeoutMs = 30_000, stdin = 'ignore' }) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(args, { env, stdio: [stdin, 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const finish = (e, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve(v);
    };
    const timer = setTimeout(() => finish(new Error(`${label}: not ready after ${timeoutMs} ms\n${err}`)), timeoutMs);
    const onData = (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) finish(null, { child, match: m, rest: out.slice(m.index + m[0].length) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      if (err.length < 20_000) err += d;
    });
    child.once('exit', (code, sig) => finish(new Error(`${label}: exited (${code ?? sig}) before it was ready\n${out}${err}`)));
  });
}

/** SIGTERM, then SIGKILL if it lingers. */
async function stopChild(child, graceMs = 5000) {
  if (!isAlive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/**
 * A long-lived measuring child (the load generator or the argon2 loop): prints
 * `ready[ json]`, then answers each JSON line on stdin with one JSON line on
 * stdout. It exits when its stdin closes, so it never outlives the bench.
 */
async function startService(label, args) {
  const { child, match } = await startChild(label, args, { ready: /^ready(.*)\n/m, stdin: 'pipe', timeoutMs: 60_000 });
  const info = match[1].trim() ? JSON.parse(match[1]) : {};
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let err = '';
  child.stderr.on('data', (d) => {
    if (err.length < 20_000) err += d;
  });
  return {
    child,
    info,
    async run(spec) {
      child.stdin.write(`${JSON.stringify(spec)}\n`);
      const timeoutMs = (spec.warmupMs ?? 0) + (spec.durationMs ?? 0) + 30_000;
      let timer;
      const next = await Promise.race([
        lines.next(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${label}: no result after ${timeoutMs} ms`)), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      if (next.done) throw new Error(`${label}: exited\n${err}`);
      const result = JSON.parse(next.value);
      if (result.fatal) throw new Error(`${label}: ${result.fatal}`);
      return result;
    },
    async stop() {
      if (!isAlive(child)) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ------------------------------------------------------------------ /proc
function peakRssKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
/** utime + stime of a process (all its threads), in ms. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
  } catch {
    return null;
  }
}
/** CPU time the whole machine spent busy, in ms (all cores). */
function machineBusyMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return ((f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLK_TCK) * 1000;
  } catch {
    return null;
  }
}

let quietSpentMs = 0;
/** Before a round, wait (bounded per round and per run) until the machine is idle; returns ms waited. */
async function waitQuiet() {
  const t0 = Date.now();
  while (quietSpentMs + (Date.now() - t0) < QUIET_BUDGET_MS && Date.now() - t0 < QUIET_PER_ROUND_MS) {
    const a = machineBusyMs();
    await new Promise((r) => setTimeout(r, 100));
    const b = machineBusyMs();
    if (a === null || b === null || ((b - a) * 100) / 100 < QUIET_BUSY_PCT) break;
  }
  const waited = Date.now() - t0;
  quietSpentMs += waited;
  return waited;
}

// ------------------------------------------------------------------ measuring
function newTally(key, name, conns) {
  return { key, name, conns, rounds: [] };
}

/**
 * One timed slice of one scenario. `drive` runs it and returns the child's
 * JSON; `pid` is the process whose CPU is charged to the scenario. CPU the
 * whole machine spent beyond that process and the load generator is charged
 * to "other" (outside load). Recorded as one round of `tally` unless warm-up.
 */
async function slice(tally, pid, drive, { warmup = false } = {}) {
  const p0 = cpuMs(pid);
  const m0 = machineBusyMs();
  const t0 = performance.now();
  const r = await drive();
  const wallMs = performance.now() - t0;
  const p1 = cpuMs(pid);
  const m1 = machineBusyMs();
  if (r.errors || r.unexpected_status) {
    throw new Error(`${tally.name}: ${r.errors} error(s), ${r.unexpected_status ?? 0} unexpected status(es) ${JSON.stringify(r.statuses ?? {})}; first: ${r.first_error}`);
  }
  if (warmup) return r;
  if (!r.requests) throw new Error(`${tally.name}: nothing completed in a ${r.duration_ms} ms window`);
  const procMs = p0 !== null && p1 !== null ? p1 - p0 : 0;
  const loaderMs = r.loader_cpu_total_ms ?? 0;
  tally.rounds.push({
    rps: (r.requests / r.duration_ms) * 1000,
    requests: r.requests,
    requestsTotal: r.requests_total,
    measuredMs: r.duration_ms,
    hist: r.hist,
    procMs,
    wallMs,
    loaderWindowMs: r.loader_window_cpu_ms ?? 0,
    otherPct: m0 !== null && m1 !== null ? Math.max(0, ((m1 - m0 - procMs - loaderMs) * 100) / wallMs) : 0,
  });
  return r;
}

const round1 = (x) => Math.round(x * 10) / 10;
const round3 = (x) => Math.round(x * 1000) / 1000;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length]);

/** Round indexes where every scenario of the group ran with little outside load. */
function cleanRounds(tallies) {
  const n = Math.min(...tallies.map((t) => t.rounds.length));
  return Array.from({ length: n }, (_, i) => i).filter((i) => tallies.every((t) => t.rounds[i].otherPct < CLEAN_OTHER_PCT));
}

/** Which rounds a group's figures use: the clean ones when there are enough, else all (and flagged noisy). */
function usedRounds(tallies) {
  const clean = cleanRounds(tallies);
  const all = tallies[0].rounds.map((_, i) => i);
  return clean.length >= MIN_CLEAN_ROUNDS ? { idx: clean, clean: clean.length, total: all.length, noisy: false } : { idx: all, clean: clean.length, total: all.length, noisy: true };
}

function figures(t, used) {
  const rs = used.idx.map((i) => t.rounds[i]);
  const sum = (f) => rs.reduce((a, r) => a + f(r), 0);
  const hist = {};
  for (const r of rs) merge(hist, r.hist);
  const isArgon = t.key === 'argon2';
  return {
    rps: round1(median(rs.map((r) => r.rps))),
    rps_mean_all_rounds: round1((t.rounds.reduce((a, r) => a + r.requests, 0) / t.rounds.reduce((a, r) => a + r.measuredMs, 0)) * 1000),
    requests: sum((r) => r.requests),
    measured_ms: sum((r) => r.measuredMs),
    connections: t.conns,
    latency_ms: summary(hist),
    proc_cpu_pct: Math.round((sum((r) => r.procMs) * 100) / sum((r) => r.wallMs)),
    proc_cpu_us_per_req: isArgon ? null : Math.round((sum((r) => r.procMs) * 1000) / Math.max(1, sum((r) => r.requestsTotal))),
    loader_cpu_pct: isArgon ? null : Math.round((sum((r) => r.loaderWindowMs) * 100) / sum((r) => r.measuredMs)),
    other_cpu_pct: Math.round(median(rs.map((r) => r.otherPct))),
    rounds_used: `${used.idx.length}/${used.total}`,
    rounds_rps: t.rounds.map((r) => round1(r.rps)),
    rounds_other_cpu_pct: t.rounds.map((r) => Math.round(r.otherPct)),
  };
}

function ratioOf(num, den, used) {
  const perRound = num.rounds.map((r, i) => r.rps / den.rounds[i].rps);
  const picked = used.idx.map((i) => perRound[i]);
  return {
    ratio: round3(median(picked)),
    ratio_min: round3(Math.min(...picked)),
    ratio_max: round3(Math.max(...picked)),
    rounds_ratio: perRound.map(round3),
    clean_rounds: used.clean,
    noisy: used.noisy,
  };
}

// ------------------------------------------------------------------ setup calls
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

// ------------------------------------------------------------------ main
async function main() {
  const started = Date.now();
  const cpuModel = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`Graphistry Admin bench: node ${process.version}, ${availableParallelism()} core(s) (${cpuModel})`);
  console.log(
    `HTTP: ${CONNECTIONS} keep-alive connections, ${HTTP_ROUNDS}+ rounds x ${HTTP_SLICE_MS} ms per scenario; sign-in: ${SIGNIN_CONNECTIONS} connections vs argon2 loop with N=${HASH_CONCURRENCY} in flight, ${SIGNIN_ROUNDS}+ rounds x ${SIGNIN_SLICE_MS} ms`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-'));
  tempDirs.add(dataDir);
  const urlLine = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  const [hello, server] = await Promise.all([
    startChild('baseline server', [join(BENCH, 'hello-server.js')], { ready: urlLine, stdin: 'pipe' }),
    startChild('account server', [join(ROOT, 'bin', 'graphistry-admin.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'silent'], {
      env: serverEnv(),
      ready: urlLine,
      timeoutMs: 60_000,
    }),
  ]);
  const helloUrl = hello.match[1];
  const base = server.match[1];

  const username = 'benchadmin';
  const password = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;
  const signup = await call('POST', `${base}/api/v2/auth/signup`, { body: { username, password }, expect: 201 });
  const { token } = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username, password }, expect: 200 });
  const me0 = await call('GET', `${base}/api/v2/me`, { headers: { authorization: `Bearer ${token}` }, expect: 200 });
  if (me0.username !== username) throw new Error(`GET /api/v2/me answered for ${me0.username}`);
  const [loader, argonLoop] = await Promise.all([
    startService('load generator', [join(BENCH, 'loader.js'), '--serve']),
    startService('argon2 loop', [join(BENCH, 'argon2-loop.js'), JSON.stringify({ concurrency: HASH_CONCURRENCY })]),
  ]);

  const tallies = {
    baseline: newTally('baseline', 'baseline: node:http hello world', CONNECTIONS),
    me: newTally('me', 'GET /api/v2/me (Bearer JWT)', CONNECTIONS),
    pkey: newTally('pkey', 'POST /api/v2/auth/pkey/jwt/', CONNECTIONS),
    signin: newTally('signin', 'POST /api/v2/auth/token/generate', SIGNIN_CONNECTIONS),
    argon2: newTally('argon2', `argon2id verify loop (N=${HASH_CONCURRENCY})`, HASH_CONCURRENCY),
  };
  const http = {
    baseline: { pid: hello.child.pid, spec: { url: `${helloUrl}/` } },
    me: { pid: server.child.pid, spec: { url: `${base}/api/v2/me`, headers: { authorization: `Bearer ${token}` } } },
    pkey: { pid: server.child.pid, spec: { url: `${base}/api/v2/auth/pkey/jwt/`, method: 'POST', headers: { authorization: signup.key.authorization } } },
    signin: { pid: server.child.pid, spec: { url: `${base}/api/v2/auth/token/generate`, method: 'POST', body: { username, password }, maxRequests: 20_000 } },
  };
  const runHttp = (key, warmupMs, durationMs) => () =>
    loader.run({ connections: tallies[key].conns, maxRequests: 500_000, ...http[key].spec, warmupMs, durationMs });
  const runArgon = (warmupMs, durationMs) => () => argonLoop.run({ warmupMs, durationMs });
  const flag = (tallyList) => (tallyList.every((t) => t.rounds.at(-1).otherPct < CLEAN_OTHER_PCT) ? '' : '  (busy machine: round not counted)');

  // Warm-up (JIT, caches, SQLite pages), not counted.
  process.stdout.write('warm-up ...');
  for (const key of ['baseline', 'me', 'pkey']) await slice(tallies[key], http[key].pid, runHttp(key, WARMUP_MS, 0), { warmup: true });
  process.stdout.write(' done\n');

  // HTTP rounds: at least HTTP_ROUNDS; more (bounded by count and time) while too few ran on an idle machine.
  const httpGroup = [tallies.baseline, tallies.me, tallies.pkey];
  const httpDeadline = started + HTTP_PHASE_DEADLINE_MS;
  for (let r = 0; r < HTTP_ROUNDS * 2; r++) {
    if (r >= HTTP_ROUNDS && (cleanRounds(httpGroup).length >= HTTP_ROUNDS / 2 || Date.now() > httpDeadline)) break;
    await waitQuiet();
    for (const key of rotate(['baseline', 'me', 'pkey'], r)) await slice(tallies[key], http[key].pid, runHttp(key, SLICE_WARMUP_MS, HTTP_SLICE_MS));
    const got = (k) => Math.round(tallies[k].rounds.at(-1).rps);
    console.log(`HTTP round ${String(r + 1).padStart(2)}: baseline ${got('baseline')}, me ${got('me')}, pkey ${got('pkey')} req/s${flag(httpGroup)}`);
  }

  process.stdout.write('sign-in warm-up ...');
  await slice(tallies.signin, server.child.pid, runHttp('signin', WARMUP_MS, 0), { warmup: true });
  await slice(tallies.argon2, argonLoop.child.pid, runArgon(WARMUP_MS / 2, 0), { warmup: true });
  process.stdout.write(' done\n');
  const signinGroup = [tallies.signin, tallies.argon2];
  const signinDeadline = started + SIGNIN_PHASE_DEADLINE_MS;
  for (let r = 0; r < SIGNIN_ROUNDS * 2; r++) {
    if (r >= SIGNIN_ROUNDS && (cleanRounds(signinGroup).length >= SIGNIN_ROUNDS / 2 || Date.now() > signinDeadline)) break;
    await waitQuiet();
    for (const key of rotate(['signin', 'argon2'], r)) {
      if (key === 'signin') await slice(tallies.signin, server.child.pid, runHttp('signin', SIGNIN_WARMUP_MS, SIGNIN_SLICE_MS));
      else await slice(tallies.argon2, argonLoop.child.pid, runArgon(SIGNIN_WARMUP_MS, SIGNIN_SLICE_MS));
    }
    const got = (k) => round1(tallies[k].rounds.at(-1).rps);
    console.log(`sign-in round ${String(r + 1).padStart(2)}: signin ${got('signin')}/s, argon2 loop ${got('argon2')}/s${flag(signinGroup)}`);
  }

  const rss = { server: peakRssKb(server.child.pid), baseline: peakRssKb(hello.child.pid), argon2_loop: peakRssKb(argonLoop.child.pid) };
  await Promise.all([stopChild(server.child), stopChild(hello.child), argonLoop.stop(), loader.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
  tempDirs.delete(dataDir);

  // ---------------------------------------------------------------- report
  const httpUsed = usedRounds(httpGroup);
  const signinUsed = usedRounds(signinGroup);
  const results = {};
  for (const key of ['baseline', 'me', 'pkey']) results[key] = figures(tallies[key], httpUsed);
  for (const key of ['signin', 'argon2']) results[key] = figures(tallies[key], signinUsed);
  Object.assign(results.me, ratioOf(tallies.me, tallies.baseline, httpUsed), { ratio_to: 'baseline', target: TARGETS.me });
  Object.assign(results.pkey, ratioOf(tallies.pkey, tallies.baseline, httpUsed), { ratio_to: 'baseline' });
  Object.assign(results.signin, ratioOf(tallies.signin, tallies.argon2, signinUsed), { ratio_to: 'argon2', target: TARGETS.signin });
  for (const key of ['me', 'signin']) results[key].pass = results[key].ratio >= results[key].target;
  const verdict = (f) => `${f.pass ? 'PASS' : 'FAIL'}${f.noisy ? '?' : ''}`;

  const pct = (x) => (x === null || x === undefined ? '-' : `${x}%`);
  const ms = (x) => (x === null || x === undefined ? '-' : x.toFixed(2));
  const header = ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'srv cpu', 'us/req', 'ldr cpu', 'other', 'rounds', 'ratio: median (min..max)', 'target', 'result'];
  const table = [header];
  for (const [key, t] of Object.entries(tallies)) {
    const f = results[key];
    table.push([
      t.name,
      String(t.conns),
      f.rps.toFixed(1),
      ms(f.latency_ms.p50),
      ms(f.latency_ms.p99),
      pct(f.proc_cpu_pct),
      String(f.proc_cpu_us_per_req ?? '-'),
      pct(f.loader_cpu_pct),
      pct(f.other_cpu_pct),
      f.rounds_used,
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)} (${f.ratio_min.toFixed(2)}..${f.ratio_max.toFixed(2)}) vs ${f.ratio_to}`,
      f.target === undefined ? '' : `>= ${f.target}`,
      f.target === undefined ? '' : verdict(f),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === 10 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log('');
  console.log(line(table[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table.slice(1)) console.log(line(r));
  console.log('');
  const mib = (kb) => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(1)} MiB`);
  console.log(`peak RSS (VmHWM): server ${mib(rss.server)}, baseline ${mib(rss.baseline)}, argon2 loop ${mib(rss.argon2_loop)}`);
  for (const [label, used] of [['HTTP', httpUsed], ['sign-in', signinUsed]]) {
    if (used.noisy) console.log(`note: only ${used.clean}/${used.total} ${label} rounds ran on an idle machine (need ${MIN_CLEAN_ROUNDS}), so its figures use every round and are noisy ("?" after PASS/FAIL): re-run when the machine is idle.`);
    else if (used.clean < used.total) console.log(`note: ${used.total - used.clean}/${used.total} ${label} rounds were left out: other processes used >= ${CLEAN_OTHER_PCT}% CPU meanwhile.`);
  }
  if (results.baseline.loader_cpu_pct >= 90) console.log(`note: the load generator used ${results.baseline.loader_cpu_pct}% CPU on the baseline, so the baseline is partly loader-bound (ratios against it read higher than against the server's true ceiling).`);
  if (quietSpentMs >= 1000) console.log(`note: waited ${(quietSpentMs / 1000).toFixed(1)} s in all for the machine to go idle (budget ${QUIET_BUDGET_MS / 1000} s).`);
  const allPass = results.me.pass && results.signin.pass;
  const elapsed = Math.round((Date.now() - started) / 100) / 10;
  console.log(`targets: me/baseline ${verdict(results.me)} (${results.me.ratio.toFixed(3)} >= ${TARGETS.me}?), signin/argon2 ${verdict(results.signin)} (${results.signin.ratio.toFixed(3)} >= ${TARGETS.signin}?); elapsed ${elapsed} s`);
  console.log(
    `BENCH_JSON ${JSON.stringify({
      node: process.version,
      cores: availableParallelism(),
      cpu: cpuModel,
      hash_concurrency: HASH_CONCURRENCY,
      argon2_params: argonLoop.info.params,
      http: { connections: CONNECTIONS, slice_ms: HTTP_SLICE_MS, rounds: httpUsed.total, clean_rounds: httpUsed.clean },
      signin: { connections: SIGNIN_CONNECTIONS, slice_ms: SIGNIN_SLICE_MS, rounds: signinUsed.total, clean_rounds: signinUsed.clean },
      results,
      peak_rss_kb: rss,
      waited_for_quiet_ms: quietSpentMs,
      all_targets_pass: allPass,
      noisy: httpUsed.noisy || signinUsed.noisy,
      elapsed_s: elapsed,
    })}`,
  );
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
