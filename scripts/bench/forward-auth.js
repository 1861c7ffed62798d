#!/usr/bin/env node
// Forward-auth check bench (part of `npm run bench`, runnable alone:
// `node scripts/bench/forward-auth.js`). Prints a table and, last,
// `BENCH_JSON {...}`.
//
// WHAT IT MEASURES, all in one run on this machine (the server, the yardstick,
// the load generator and the probes are separate processes):
//
//   throughput  GET /auth/check?require=staff on the real server (`graphistry-admin
//               serve`, fresh temp data dir, SQLite), with a session cookie and
//               with `Authorization: Bearer <jwt>`, each as a ratio to a raw
//               node:http hello-world (scripts/bench/hello-server.js) measured in
//               the same rounds; GET /ht/ on the same server shows what the
//               framework alone costs. Load: Debian's `wrk` (C, one thread, 32
//               keep-alive connections), so the load generator is not the limit;
//               its CPU is shown. "us/req" is the measured server's CPU time per
//               request, from utime+stime in /proc/<pid>/stat.
//               TARGET: cookie / baseline >= 0.7.
//   latency     p99 of the cookie check at rest, and during a burst of concurrent
//               sign-ins (BENCH_FA_SIGNINS of POST /api/v2/auth/token/generate
//               kept in flight: argon2id-bound, m=19456 KiB, t=2), from a probe
//               process that sends one check at a time, ~1 ms apart, and times
//               each. Rest and burst windows alternate; each state's samples are
//               merged. TARGET: p99 burst / p99 rest <= 2.
//
// Rounds interleave [baseline, health, cookie, jwt] (order rotating), BENCH_FA_ROUNDS
// of BENCH_FA_SLICE_S seconds each after one warm-up slice per scenario; each
// ratio is the median of the per-round ratios (min..max shown). "other" is the
// CPU that processes other than the server and wrk used meanwhile (% of one
// core): high values mean a busy machine and noisy figures.
// Exit code 0 when every measurement ran (even if a target FAILs), 1 otherwise.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { merge, record, summary } from './histogram.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const intEnv = (name, fallback) => (Number.isInteger(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback);
const ROUNDS = intEnv('BENCH_FA_ROUNDS', 5);
const SLICE_S = intEnv('BENCH_FA_SLICE_S', 2);
const CONNECTIONS = intEnv('BENCH_FA_CONNECTIONS', 32);
const LATENCY_ROUNDS = intEnv('BENCH_FA_LATENCY_ROUNDS', 3);
const LATENCY_MS = intEnv('BENCH_FA_LATENCY_MS', 2500);
const SIGNINS = intEnv('BENCH_FA_SIGNINS', 16);
const TARGETS = { cookie: 0.7, burstP99: 2 };
const CLK_TCK = 100;
const PASSWORD = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;

// ------------------------------------------------------------------ child roles
// `--probe url cookie ms`: one check at a time for `ms`, prints a latency histogram.
// `--burst url username password n ms`: n sign-ins in flight for `ms`, prints counts.
if (process.argv[2] === '--probe') {
  const [url, cookie, ms] = process.argv.slice(3);
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
  process.stdout.write(`${JSON.stringify({ hist, statuses })}\n`);
  process.exit(0);
}
if (process.argv[2] === '--burst') {
  const [url, usernames, password, n, ms] = process.argv.slice(3);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(n) });
  const names = usernames.split(',');
  const statuses = {};
  const end = performance.now() + Number(ms);
  const one = (body) =>
    new Promise((resolve) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) =>
        res.resume().on('end', () => resolve(res.statusCode)),
      );
      req.on('error', () => resolve('error'));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: Number(n) }, async (_, i) => {
      // Spread over several accounts: the per-account sign-in throttle counts attempts in flight.
      const body = JSON.stringify({ username: names[i % names.length], password });
      while (performance.now() < end) {
        const s = await one(body);
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ statuses })}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------ helpers
const children = new Set();
const tempDirs = new Set();
function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

function startChild(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]}: not ready in 60 s\n${err}`)), 60_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code})\n${err}`)));
  });
}

/** Run a child role to completion and parse its one JSON line. */
function runRole(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`${args[0]} exited (${code})`));
    });
  });
}

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
}
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return ((f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLK_TCK) * 1000;
}

/** One wrk slice against `url` (extra headers), with the CPU of `pid`, of wrk itself and of everything else. */
function wrk(url, headers, pid, seconds) {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
    const p0 = cpuMs(pid);
    const m0 = machineBusyMs();
    const t0 = performance.now();
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let wrkCpu = 0;
    child.stdout.on('data', (d) => (out += d));
    const sampler = setInterval(() => {
      try {
        wrkCpu = cpuMs(child.pid);
      } catch {
        /* finished */
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(sampler);
      children.delete(child);
      const wallMs = performance.now() - t0;
      const procMs = cpuMs(pid) - p0;
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      const errors = /Socket errors: (.*)/.exec(out)?.[1];
      if (code !== 0 || !requests) return reject(new Error(`wrk failed (${code}):\n${out}`));
      if (non2xx || errors) return reject(new Error(`wrk: ${non2xx} non-2xx answers, socket errors: ${errors ?? 'none'}\n${out}`));
      const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
      resolve({
        rps: requests / (wallMs / 1000),
        requests,
        p99Ms: p99 ? Number(p99[1]) * { us: 0.001, ms: 1, s: 1000 }[p99[2]] : null,
        usPerReq: (procMs * 1000) / requests,
        serverCpuPct: (procMs * 100) / wallMs,
        wrkCpuPct: (wrkCpu * 100) / wallMs,
        otherPct: Math.max(0, ((machineBusyMs() - m0 - procMs - wrkCpu) * 100) / wallMs),
      });
    });
  });
}

async function call(method, url, { headers = {}, body, form } = {}) {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    body: body ? JSON.stringify(body) : form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A session cookie from the server's own sign-in form, as a browser gets one. */
async function sessionCookie(base, username) {
  const page = await call('GET', `${base}/accounts/login/`);
  const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
  const res = await call('POST', `${base}/accounts/login/`, { headers: { cookie: pre, origin: base }, form: { csrf, username, password: PASSWORD, next: '/dashboard/' } });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('gadm_session='));
  if (res.status !== 303 || !session) throw new Error(`sign-in form answered ${res.status}`);
  return session.split(';')[0];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x) => Math.round(x * 1000) / 1000;

// ------------------------------------------------------------------ main
async function main() {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  const started = performance.now();
  console.log(`forward-auth bench: node ${process.version}, ${availableParallelism()} core(s); wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds x ${SLICE_S} s; latency ${LATENCY_ROUNDS} x (rest, burst of ${SIGNINS} sign-ins) x ${LATENCY_MS} ms`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-fa-'));
  tempDirs.add(dataDir);
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'SETUP_TOKEN', 'TRUST_PROXY', 'GATES']) delete env[k];
  const urlLine = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  const [hello, server] = await Promise.all([
    startChild([join(HERE, 'hello-server.js')], env, urlLine),
    startChild([join(ROOT, 'bin', 'graphistry-admin.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'silent'], env, urlLine),
  ]);
  const base = server.url;
  const signup = await call('POST', `${base}/api/v2/auth/signup`, { body: { username: 'benchadmin', password: PASSWORD } });
  if (signup.status !== 201) throw new Error(`sign-up answered ${signup.status}: ${signup.text}`);
  const { token } = JSON.parse(signup.text);
  const cookie = await sessionCookie(base, 'benchadmin');
  const signinUsers = ['benchuser1', 'benchuser2', 'benchuser3', 'benchuser4'];
  for (const username of signinUsers) {
    const res = await call('POST', `${base}/api/v2/admin/users`, { headers: { authorization: `Bearer ${token}` }, body: { username, password: PASSWORD } });
    if (res.status !== 201) throw new Error(`creating ${username} answered ${res.status}: ${res.text}`);
  }
  const check = `${base}/auth/check?require=staff`;
  for (const headers of [{ cookie }, { authorization: `Bearer ${token}` }]) {
    const res = await call('GET', check, { headers });
    if (res.status !== 200 || res.headers.get('remote-user') !== 'benchadmin') throw new Error(`check answered ${res.status} for ${Object.keys(headers)[0]}`);
  }

  const scenarios = {
    baseline: { name: 'baseline: node:http hello world', url: `${hello.url}/`, headers: {}, pid: hello.child.pid },
    health: { name: 'GET /ht/ (same server, no check)', url: `${base}/ht/`, headers: {}, pid: server.child.pid },
    cookie: { name: 'GET /auth/check (session cookie)', url: check, headers: { cookie }, pid: server.child.pid },
    jwt: { name: 'GET /auth/check (Bearer JWT)', url: check, headers: { authorization: `Bearer ${token}` }, pid: server.child.pid },
  };
  const keys = Object.keys(scenarios);
  const rounds = Object.fromEntries(keys.map((k) => [k, []]));
  for (const k of keys) await wrk(scenarios[k].url, scenarios[k].headers, scenarios[k].pid, 1); // warm-up (JIT, caches)
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of keys.map((_, i) => keys[(i + r) % keys.length])) rounds[k].push(await wrk(scenarios[k].url, scenarios[k].headers, scenarios[k].pid, SLICE_S));
    console.log(`round ${r + 1}: ${keys.map((k) => `${k} ${Math.round(rounds[k].at(-1).rps)}`).join(', ')} req/s (other ${Math.round(Math.max(...keys.map((k) => rounds[k].at(-1).otherPct)))}%)`);
  }

  // Latency: rest and burst windows, alternating.
  const hist = { rest: {}, burst: {} };
  const signins = {};
  for (let r = 0; r < LATENCY_ROUNDS; r++) {
    merge(hist.rest, (await runRole(['--probe', check, cookie, String(LATENCY_MS)])).hist);
    const burst = runRole(['--burst', `${base}/api/v2/auth/token/generate`, signinUsers.join(','), PASSWORD, String(SIGNINS), String(LATENCY_MS + 800)]);
    await new Promise((res) => setTimeout(res, 400)); // the hashing threads are busy before the probe starts
    merge(hist.burst, (await runRole(['--probe', check, cookie, String(LATENCY_MS)])).hist);
    for (const [s, n] of Object.entries((await burst).statuses)) signins[s] = (signins[s] ?? 0) + n;
    console.log(`latency round ${r + 1}: rest p99 ${summary(hist.rest).p99} ms, burst p99 ${summary(hist.burst).p99} ms (so far)`);
  }
  cleanup();

  // ---------------------------------------------------------------- report
  const results = {};
  for (const k of keys) {
    const rs = rounds[k];
    results[k] = {
      rps: Math.round(median(rs.map((x) => x.rps))),
      wrk_p99_ms: median(rs.map((x) => x.p99Ms)),
      server_us_per_req: r3(median(rs.map((x) => x.usPerReq))),
      server_cpu_pct: Math.round(median(rs.map((x) => x.serverCpuPct))),
      wrk_cpu_pct: Math.round(median(rs.map((x) => x.wrkCpuPct))),
      other_cpu_pct: Math.round(median(rs.map((x) => x.otherPct))),
      rounds_rps: rs.map((x) => Math.round(x.rps)),
    };
    if (k !== 'baseline') {
      const ratios = rs.map((x, i) => x.rps / rounds.baseline[i].rps);
      Object.assign(results[k], { ratio: r3(median(ratios)), ratio_min: r3(Math.min(...ratios)), ratio_max: r3(Math.max(...ratios)), rounds_ratio: ratios.map(r3) });
    }
  }
  const rest = summary(hist.rest);
  const burst = summary(hist.burst);
  const latency = { rest_ms: rest, burst_ms: burst, p99_ratio: r3(burst.p99 / rest.p99), samples: { rest: Object.values(hist.rest).reduce((a, b) => a + b, 0), burst: Object.values(hist.burst).reduce((a, b) => a + b, 0) }, signins_during_bursts: signins, signins_in_flight: SIGNINS };
  const pass = { cookie: results.cookie.ratio >= TARGETS.cookie, burstP99: latency.p99_ratio <= TARGETS.burstP99 };

  const header = ['scenario', 'req/s', 'wrk p99 ms', 'srv cpu', 'us/req', 'wrk cpu', 'other', 'ratio: median (min..max)', 'target', 'result'];
  const rows = keys.map((k) => {
    const f = results[k];
    return [
      scenarios[k].name,
      String(f.rps),
      f.wrk_p99_ms === null ? '-' : f.wrk_p99_ms.toFixed(2),
      `${f.server_cpu_pct}%`,
      f.server_us_per_req.toFixed(1),
      `${f.wrk_cpu_pct}%`,
      `${f.other_cpu_pct}%`,
      f.ratio === undefined ? '' : `${f.ratio.toFixed(3)} (${f.ratio_min.toFixed(2)}..${f.ratio_max.toFixed(2)})`,
      k === 'cookie' ? `>= ${TARGETS.cookie}` : '',
      k === 'cookie' ? (pass.cookie ? 'PASS' : 'FAIL') : '',
    ];
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  console.log(`check latency, one at a time (cookie): at rest p50 ${rest.p50} / p99 ${rest.p99} ms (${latency.samples.rest} checks); during ${SIGNINS} concurrent sign-ins p50 ${burst.p50} / p99 ${burst.p99} ms (${latency.samples.burst} checks)`);
  console.log(`sign-ins completed during the bursts: ${JSON.stringify(signins)}`);
  console.log(`targets: cookie/baseline ${pass.cookie ? 'PASS' : 'FAIL'} (${results.cookie.ratio} >= ${TARGETS.cookie}?), burst p99 / rest p99 ${pass.burstP99 ? 'PASS' : 'FAIL'} (${latency.p99_ratio} <= ${TARGETS.burstP99}?); elapsed ${Math.round((performance.now() - started) / 1000)} s`);
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'forward-auth', node: process.version, cores: availableParallelism(), connections: CONNECTIONS, rounds: ROUNDS, slice_s: SLICE_S, results, latency, targets: TARGETS, pass })}`);
}

main().then(
  () => {
    cleanup();
    process.exitCode = 0;
  },
  (e) => {
    console.error(`forward-auth bench: ERROR: ${e?.stack ?? e}`);
    cleanup();
    process.exitCode = 1;
  },
);
