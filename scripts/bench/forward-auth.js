#!/usr/bin/env node
// `npm run bench` section `forward-auth` (alone: `node scripts/bench/forward-auth.js`):
// what the forward-auth check costs, next to a raw node:http hello world, and
// whether it stays fast while sign-ins hash passwords.
//
// WHAT RUNS (separate processes, HTTP/1.1 keep-alive on 127.0.0.1):
//   server   `node bin/graphistry-admin.js serve`, fresh SQLite data dir, at its
//            default log level (the check itself logs at warn only)
//   floor    scripts/bench/hello-server.js: a bare node:http hello world
//   load     Debian's wrk (scripts/bench/wrk.js), 1 thread, BENCH_CONNECTIONS
//   probe    this file with --probe: one check at a time, ~1 ms apart, each timed
//   burst    this file with --burst: BENCH_FA_SIGNINS password sign-ins kept in
//            flight (POST /api/v2/auth/token/generate, argon2id m=19456 KiB, t=2)
//
// THROUGHPUT: GET /auth/check?require=staff with a session cookie and with a
// Bearer JWT, and GET /ht/ (the same server with no check: what the framework
// costs), each in the same rounds as the hello world, BENCH_ROUNDS rounds of
// BENCH_SLICE_S s, order rotating, after one warm-up slice each. The ratio is
// req/s over the hello world's in the same round (median of rounds, min..max);
// cpu us/req is the measured process's utime+stime (/proc/<pid>/stat) over the
// slice per completed request. TARGET: cookie / hello world >= 0.7.
//
// LATENCY: the probe's p99 for the cookie check at rest, and during a burst of
// concurrent sign-ins; BENCH_FA_LATENCY_ROUNDS rounds alternate the two, each
// window BENCH_FA_LATENCY_MS long, samples merged per state.
// TARGET: p99 during the burst <= 2x p99 at rest. THE FLOOR: the same probe
// against the hello world in the same windows (it does no sign-in work, but
// shares the CPUs with the server's hashing threads): the ratio any server
// gets on this machine while those hashes run.
//
// Columns: req/s, p50/p99 (wrk), cpu us/req, ldr = wrk's CPU (100% = one core),
// other = CPU used by everything else on the machine meanwhile (noise).
// Last line: BENCH_JSON {...}. Exit 0 when every measurement ran (even if a
// target FAILs), 1 otherwise.
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, cpus, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH,
  call,
  cleanup,
  ensureBuilt,
  intEnv,
  machineBusyMs,
  median,
  printTable,
  removeOnExit,
  round,
  runSection,
  SERVER_BIN,
  SERVER_ROOT,
  spawnTracked,
  startChild,
} from './proc.js';
import { hasWrk, runWrk } from './wrk.js';
import { merge, record, summary } from './histogram.js';

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const SLICE_S = intEnv('BENCH_SLICE_S', 2);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 16);
const LATENCY_ROUNDS = intEnv('BENCH_FA_LATENCY_ROUNDS', 4);
const LATENCY_MS = intEnv('BENCH_FA_LATENCY_MS', 2000);
const SIGNINS = intEnv('BENCH_FA_SIGNINS', 16);
const TARGETS = { cookie: 0.7, burst_p99: 2 };
const PASSWORD = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;

// ------------------------------------------------------------------ child roles
/** `--probe url cookie ms`: one check at a time for `ms`; prints a latency histogram and the statuses. */
async function probe([url, cookie, ms]) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const hist = {};
  const statuses = {};
  const end = performance.now() + Number(ms);
  while (performance.now() < end) {
    const t0 = performance.now();
    const status = await new Promise((resolve, reject) => {
      http.get(url, { agent, headers: { cookie } }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject);
    });
    record(hist, performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 1));
  }
  agent.destroy();
  return { hist, statuses };
}

/** `--burst url names password n ms`: n sign-ins in flight for `ms`, spread over several accounts; prints the statuses. */
async function burst([url, names, password, n, ms]) {
  // The sign-ins stand in for clients on other machines: this process takes only CPU the server and the probe leave.
  setPriority(19);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(n) });
  const users = names.split(',');
  const statuses = {};
  const end = performance.now() + Number(ms);
  const once = (body) =>
    new Promise((resolve) => {
      const req = http.request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => res.resume().on('end', () => resolve(res.statusCode)),
      );
      req.on('error', () => resolve('error'));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: Number(n) }, async (_, i) => {
      // Several accounts: the per-account sign-in limit counts attempts in flight.
      const body = JSON.stringify({ username: users[i % users.length], password });
      while (performance.now() < end) {
        const s = await once(body);
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return { statuses };
}

/** Run this file in a child role and parse its one JSON line. */
function runRole(args) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${args[0]} exited (${code})`))));
  });
}

// ------------------------------------------------------------------ setup
async function sessionCookie(base, username) {
  const page = await fetch(`${base}/accounts/login/`);
  const pre = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())[1];
  const res = await fetch(`${base}/accounts/login/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pre, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username, password: PASSWORD, next: '/dashboard/' }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('gadm_session='));
  if (res.status !== 303 || !session) throw new Error(`sign-in form answered ${res.status}`);
  return session.split(';')[0];
}

async function setUp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-fa-'));
  removeOnExit(dataDir);
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'LOG_LEVEL', 'SETUP_TOKEN', 'TRUST_PROXY', 'GATES']) delete env[k];
  const urlLine = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  const [server, hello] = await Promise.all([
    startChild('account server', [SERVER_BIN, 'serve', '--data-dir', dataDir, '--port', '0'], { env, ready: urlLine }),
    startChild('hello server', [join(BENCH, 'hello-server.js')], { ready: urlLine }),
  ]);
  const base = server.match[1];
  const { token } = await call('POST', `${base}/api/v2/auth/signup`, { body: { username: 'benchadmin', password: PASSWORD }, expect: 201 });
  const signinUsers = ['benchuser1', 'benchuser2', 'benchuser3', 'benchuser4'];
  for (const username of signinUsers)
    await call('POST', `${base}/api/v2/admin/users`, { headers: { authorization: `Bearer ${token}` }, body: { username, password: PASSWORD }, expect: 201 });
  const cookie = await sessionCookie(base, 'benchadmin');
  for (const headers of [{ cookie }, { authorization: `Bearer ${token}` }]) {
    const res = await fetch(`${base}/auth/check?require=staff`, { headers });
    if (res.status !== 200 || res.headers.get('remote-user') !== 'benchadmin')
      throw new Error(`the check answered ${res.status} for ${Object.keys(headers)[0]}`);
  }
  return { server, hello, base, token, cookie, signinUsers };
}

// ------------------------------------------------------------------ measuring
async function slice(target) {
  const m0 = machineBusyMs();
  const r = await runWrk({ ...target, connections: CONNECTIONS, durationS: SLICE_S });
  const m1 = machineBusyMs();
  if (r.errors || r.non2xx) throw new Error(`${target.path}: ${r.errors} socket error(s), ${r.non2xx} non-2xx answer(s)`);
  return {
    ...r,
    cpu_us: (r.server_cpu_ms * 1000) / r.requests,
    ldr_pct: (r.loader_cpu_ms * 100) / r.wall_ms,
    other_pct: Math.max(0, ((m1 - m0 - r.server_cpu_ms - r.loader_cpu_ms) * 100) / r.wall_ms),
  };
}

async function throughput(s) {
  const srv = { origin: s.base, pid: s.server.child.pid };
  const targets = {
    hello: { name: 'baseline: node:http hello world', origin: s.hello.match[1], pid: s.hello.child.pid, path: '/' },
    ht: { name: 'GET /ht/ (same server, no check)', ...srv, path: '/ht/' },
    cookie: { name: 'GET /auth/check (session cookie)', ...srv, path: '/auth/check?require=staff', headers: { cookie: s.cookie } },
    jwt: { name: 'GET /auth/check (Bearer JWT)', ...srv, path: '/auth/check?require=staff', headers: { authorization: `Bearer ${s.token}` } },
  };
  const keys = Object.keys(targets);
  const slices = Object.fromEntries(keys.map((k) => [k, []]));
  for (const k of keys) await runWrk({ ...targets[k], connections: CONNECTIONS, durationS: 1 }); // warm-up: JIT, caches
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of keys.map((_, i) => keys[(i + r) % keys.length])) slices[k].push(await slice(targets[k]));
    console.log(
      `round ${r + 1}: ${keys.map((k) => `${k} ${round(slices[k].at(-1).rps, 0)}`).join(', ')} req/s; other ${round(Math.max(...keys.map((k) => slices[k].at(-1).other_pct)), 0)}%`,
    );
  }
  const results = {};
  for (const k of keys) {
    const xs = slices[k];
    const pick = (f) => median(xs.map((x) => x[f]));
    results[k] = {
      name: targets[k].name,
      rps: round(pick('rps')),
      p50_ms: pick('p50_ms'),
      p99_ms: pick('p99_ms'),
      cpu_us_per_req: round(pick('cpu_us')),
      loader_cpu_pct: Math.round(pick('ldr_pct')),
      other_cpu_pct: Math.round(pick('other_pct')),
    };
    if (k !== 'hello') {
      const ratios = xs.map((x, i) => x.rps / slices.hello[i].rps);
      Object.assign(results[k], {
        ratio: round(median(ratios), 3),
        ratio_min: round(Math.min(...ratios), 3),
        ratio_max: round(Math.max(...ratios), 3),
        rounds_ratio: ratios.map((x) => round(x, 3)),
      });
    }
  }
  return results;
}

async function latency(s) {
  const check = `${s.base}/auth/check?require=staff`;
  const floor = `${s.hello.match[1]}/`;
  const hist = { rest: {}, burst: {}, floor_rest: {}, floor_burst: {} };
  const signins = {};
  const probe = async (into, url, cookie) => merge(into, (await runRole(['--probe', url, cookie, String(LATENCY_MS)])).hist);
  for (let r = 0; r < LATENCY_ROUNDS; r++) {
    // Order alternates between rounds, so neither probe always follows the other.
    const pair = (check_, floor_) => (r % 2 ? [floor_, check_] : [check_, floor_]);
    for (const p of pair(
      () => probe(hist.rest, check, s.cookie),
      () => probe(hist.floor_rest, floor, ''),
    ))
      await p();
    const during = runRole([
      '--burst',
      `${s.base}/api/v2/auth/token/generate`,
      s.signinUsers.join(','),
      PASSWORD,
      String(SIGNINS),
      String(2 * LATENCY_MS + 800),
    ]);
    await new Promise((res) => setTimeout(res, 400)); // the hashing threads are busy before the probe starts
    for (const p of pair(
      () => probe(hist.burst, check, s.cookie),
      () => probe(hist.floor_burst, floor, ''),
    ))
      await p();
    for (const [code, n] of Object.entries((await during).statuses)) signins[code] = (signins[code] ?? 0) + n;
    console.log(
      `latency round ${r + 1}: p99 so far at rest ${summary(hist.rest).p99} ms, during sign-ins ${summary(hist.burst).p99} ms; hello world ${summary(hist.floor_rest).p99} / ${summary(hist.floor_burst).p99} ms`,
    );
  }
  const count = (h) => Object.values(h).reduce((a, b) => a + b, 0);
  const rest = summary(hist.rest);
  const busy = summary(hist.burst);
  const floorRest = summary(hist.floor_rest);
  const floorBusy = summary(hist.floor_burst);
  return {
    rest_ms: rest,
    burst_ms: busy,
    p99_ratio: round(busy.p99 / rest.p99, 3),
    // The same probe against the hello world, in the same windows: what the machine alone does to a p99 while the server hashes.
    floor: { rest_ms: floorRest, burst_ms: floorBusy, p99_ratio: round(floorBusy.p99 / floorRest.p99, 3) },
    checks: { rest: count(hist.rest), burst: count(hist.burst) },
    signins_in_flight: SIGNINS,
    signins_completed: signins,
  };
}

// ------------------------------------------------------------------ main
async function main() {
  if (!hasWrk()) throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  const started = Date.now();
  ensureBuilt();
  console.log(
    `forward-auth: ${SERVER_ROOT}; node ${process.version}, ${availableParallelism()} core(s) (${cpus()[0]?.model ?? '?'}); wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds x ${SLICE_S} s; latency ${LATENCY_ROUNDS} x (rest, ${SIGNINS} sign-ins in flight) x ${LATENCY_MS} ms`,
  );
  const s = await setUp();
  const results = await throughput(s);
  const lat = await latency(s);
  cleanup();

  const pass = { cookie: results.cookie.ratio >= TARGETS.cookie, burst_p99: lat.p99_ratio <= TARGETS.burst_p99 };
  const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'cpu us/req', 'ldr', 'other', 'ratio to hello (min..max)', 'target', 'result']];
  for (const [k, f] of Object.entries(results)) {
    rows.push([
      f.name,
      f.rps,
      f.p50_ms.toFixed(2),
      f.p99_ms.toFixed(2),
      f.cpu_us_per_req,
      `${f.loader_cpu_pct}%`,
      `${f.other_cpu_pct}%`,
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)} (${f.ratio_min.toFixed(2)}..${f.ratio_max.toFixed(2)})`,
      k === 'cookie' ? `>= ${TARGETS.cookie}` : '',
      k === 'cookie' ? (pass.cookie ? 'PASS' : 'FAIL') : '',
    ]);
  }
  console.log('');
  printTable(rows);
  console.log('');
  console.log(
    `check latency, one at a time (cookie): at rest p50 ${lat.rest_ms.p50} / p99 ${lat.rest_ms.p99} ms (${lat.checks.rest} checks); with ${SIGNINS} sign-ins in flight p50 ${lat.burst_ms.p50} / p99 ${lat.burst_ms.p99} ms (${lat.checks.burst} checks); sign-ins answered meanwhile ${JSON.stringify(lat.signins_completed)}`,
  );
  console.log(
    `the floor, the same probe against the hello world in the same windows (it shares the CPUs with the server's hashing threads, nothing else): at rest p50 ${lat.floor.rest_ms.p50} / p99 ${lat.floor.rest_ms.p99} ms; during the sign-ins p50 ${lat.floor.burst_ms.p50} / p99 ${lat.floor.burst_ms.p99} ms: ratio ${lat.floor.p99_ratio}`,
  );
  console.log(
    `targets: cookie/hello ${pass.cookie ? 'PASS' : 'FAIL'} (${results.cookie.ratio} >= ${TARGETS.cookie}?), p99 during sign-ins / at rest ${pass.burst_p99 ? 'PASS' : 'FAIL'} (${lat.p99_ratio} <= ${TARGETS.burst_p99}?); elapsed ${Math.round((Date.now() - started) / 1000)} s`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ section: 'forward-auth', node: process.version, cores: availableParallelism(), connections: CONNECTIONS, rounds: ROUNDS, slice_s: SLICE_S, results, latency: lat, targets: TARGETS, pass })}`,
  );
}

const role = { '--probe': probe, '--burst': burst }[process.argv[2]];
if (role) {
  process.stdout.write(`${JSON.stringify(await role(process.argv.slice(3)))}\n`);
} else {
  runSection('forward-auth', main);
}
