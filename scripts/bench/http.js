#!/usr/bin/env node
// `npm run bench` section `http` (alone: `node scripts/bench/http.js`): what
// the account server's hot endpoints cost, next to what they could cost.
//
// WHAT RUNS (separate processes, HTTP/1.1 keep-alive on 127.0.0.1):
//   server   `node bin/graphistry-admin.js serve`, fresh SQLite data dir, at its
//            DEFAULT log level (info), stderr to a file as a service manager
//            would take it; 10,000 seeded users (bulk SQL, scripts/bench/seed.js)
//   floors   scripts/bench/hello-server.js: a bare node:http hello world;
//            scripts/bench/floor-server.js: bare node:http doing each endpoint's
//            essential work with prepared statements on the same database
//   load     Debian's wrk (scripts/bench/wrk.js), 1 thread, BENCH_CONNECTIONS
//   argon2   scripts/bench/argon2-loop.js: a bare argon2id verify loop with the
//            server's parameters and its concurrency (the sign-in floor)
//
// HOW: every scenario runs against the server and against its floor in the
// same round, BENCH_ROUNDS rounds of BENCH_SLICE_S seconds each, the order
// rotating per round, after one warm-up slice each. CPU per request is the
// measured process's utime+stime (all threads, /proc/<pid>/stat) over the
// slice, divided by the requests wrk completed in it. The headline is the
// ratio of the server's CPU per request to its floor's, the median of the
// per-round ratios (so a noisy neighbour skews both sides of a round alike).
// Sign-in is read as throughput against the argon2id loop instead: its cost
// is the hash, so the question is whether anything else gets in its way.
//
// TARGETS: /me (both token kinds) and the key exchange at most 1.3x their
// floors; sign-in at least 0.9 of the argon2id loop's rate. Naming an
// organization (`org_name`, as pygraphistry does) costs at most 1.1x the same
// call without one: the key exchange by CPU per request (`pkey_org`, the
// sensitive one: no argon2id to hide behind), sign-in by throughput
// (`signin_org`), each side against the same server in the same round. The
// user is a member of a seeded organization (scripts/bench/seed.js).
//
// Columns: req/s, p50/p99 latency (wrk), cpu us/req, ldr = wrk's CPU (100% =
// one core; near 100% would mean the loader set the pace), other = CPU used by
// everything else on the machine meanwhile (noise), log B/req = bytes the
// server logged per request. Last line: BENCH_JSON {...}.
//
// Knobs (env): BENCH_ROUNDS (5), BENCH_SLICE_S (1), BENCH_CONNECTIONS (16),
// BENCH_SIGNIN_ROUNDS (4), BENCH_USERS (10000), HASH_CONCURRENCY.
import { mkdtempSync, statSync, openSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  BENCH,
  call,
  ensureBuilt,
  intEnv,
  machineBusyMs,
  median,
  memKb,
  printTable,
  removeOnExit,
  round,
  runSection,
  SERVER_BIN,
  SERVER_ROOT,
  startChild,
  stopChild,
} from './proc.js';
import { hasWrk, runWrk } from './wrk.js';
import { seedOrgSqlite, seedSqlite } from './seed.js';

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const SLICE_S = intEnv('BENCH_SLICE_S', 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 16);
const SIGNIN_ROUNDS = intEnv('BENCH_SIGNIN_ROUNDS', 4);
const USERS = intEnv('BENCH_USERS', 10_000);
// The server's default (src-server/config.ts): one less than the CPU count.
const HASH_CONCURRENCY = intEnv('HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1));
const TARGETS = { me: 1.3, me_key: 1.3, pkey: 1.3, pkey_org: 1.1, signin: 0.9, signin_org: 1.1 };
const ORG = 'benchorg';

/** The server child's environment: its own SQLite data dir, default log level, nothing inherited that points elsewhere. */
function serverEnv() {
  const env = { ...process.env, HASH_CONCURRENCY: String(HASH_CONCURRENCY) };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'HOST', 'PORT', 'LOG_LEVEL', 'SETUP_TOKEN', 'TRUST_PROXY']) delete env[k];
  return env;
}

/** A long-lived child answering one JSON line per JSON line on stdin (the argon2 loop). */
async function startService(label, args) {
  const { child, match } = await startChild(label, args, { ready: /^ready(.*)\n/m });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    info: match[1].trim() ? JSON.parse(match[1]) : {},
    async run(spec) {
      child.stdin.write(`${JSON.stringify(spec)}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`${label}: exited`);
      return JSON.parse(next.value);
    },
    stop: () => child.stdin.end(),
  };
}

async function setUp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-http-'));
  removeOnExit(dataDir);
  const logFile = join(dataDir, 'server.log');
  const urlLine = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  const server = await startChild('account server', [SERVER_BIN, 'serve', '--data-dir', dataDir, '--port', '0'], {
    env: serverEnv(),
    ready: urlLine,
    stderrTo: openSync(logFile, 'a'),
  });
  const base = server.match[1];
  const username = 'benchadmin';
  const password = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;
  const signup = await call('POST', `${base}/api/v2/auth/signup`, { body: { username, password }, expect: 201 });
  const { token } = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username, password } });
  const keyToken = (await call('POST', `${base}/api/v2/auth/pkey/jwt/`, { headers: { authorization: signup.key.authorization } })).token;
  const seedMs = seedSqlite(join(dataDir, 'graphistry-admin.sqlite3'), USERS);
  // A server older than organizations (a --compare baseline) has none: the org_name figures are then left out.
  const orgs = seedOrgSqlite(join(dataDir, 'graphistry-admin.sqlite3'), ORG, [username]);
  if (orgs) {
    const inOrg = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username, password, org_name: ORG } });
    if (!inOrg.active_organization?.is_member) throw new Error(`${username} is not a member of ${ORG}: ${JSON.stringify(inOrg.active_organization)}`);
  }
  const [hello, floor, argon] = await Promise.all([
    startChild('hello server', [join(BENCH, 'hello-server.js')], { ready: urlLine }),
    startChild('floor server', [join(BENCH, 'floor-server.js'), dataDir], { ready: urlLine }),
    startService('argon2 loop', [join(BENCH, 'argon2-loop.js'), JSON.stringify({ concurrency: HASH_CONCURRENCY })]),
  ]);
  const list = await call('GET', `${base}/api/v2/admin/users`, { headers: { authorization: `Bearer ${token}` } });
  if (list.count !== USERS + 1) throw new Error(`admin list counts ${list.count} users, expected ${USERS + 1}`);
  return { dataDir, logFile, server, base, hello, floor, argon, username, password, token, keyToken, authorization: signup.key.authorization, seedMs, orgs };
}

/** Each scenario: the server's request and its floor's, answering the same thing. */
function scenarios(s) {
  const srv = { origin: s.base, pid: s.server.child.pid };
  const flr = { origin: s.floor.match[1], pid: s.floor.child.pid };
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  return [
    {
      key: 'ht',
      name: 'GET /ht/ (health) vs hello world',
      server: { ...srv, path: '/ht/' },
      floor: { origin: s.hello.match[1], pid: s.hello.child.pid, path: '/' },
    },
    {
      key: 'me',
      name: 'GET /api/v2/me (Bearer)',
      server: { ...srv, path: '/api/v2/me', headers: bearer(s.token) },
      floor: { ...flr, path: '/me', headers: bearer(s.token) },
    },
    {
      key: 'me_key',
      name: 'GET /api/v2/me (key-minted token)',
      server: { ...srv, path: '/api/v2/me', headers: bearer(s.keyToken) },
      floor: { ...flr, path: '/me', headers: bearer(s.keyToken) },
    },
    {
      key: 'pkey',
      name: 'POST /api/v2/auth/pkey/jwt/ (key exchange)',
      server: { ...srv, method: 'POST', path: '/api/v2/auth/pkey/jwt/', headers: { authorization: s.authorization } },
      floor: { ...flr, method: 'POST', path: '/pkey', headers: { authorization: s.authorization } },
    },
    {
      // Both sides are the server: the same exchange with and without org_name, each with a JSON body as
      // pygraphistry sends it ({} when it names no organization), so the ratio is the lookup, not reading a body.
      key: 'pkey_org',
      name: `POST /api/v2/auth/pkey/jwt/ {org_name} vs {}`,
      floorLabel: 'no org',
      server: { ...srv, method: 'POST', path: '/api/v2/auth/pkey/jwt/', headers: { authorization: s.authorization }, body: s.orgs ? { org_name: ORG } : {} },
      floor: { ...srv, method: 'POST', path: '/api/v2/auth/pkey/jwt/', headers: { authorization: s.authorization }, body: {} },
    },
    {
      key: 'verify',
      name: 'POST /api/v2/auth/token/verify',
      server: { ...srv, method: 'POST', path: '/api/v2/auth/token/verify', body: { token: s.token } },
      floor: { ...flr, method: 'POST', path: '/verify', body: { token: s.token } },
    },
    {
      key: 'refresh',
      name: 'POST /api/v2/auth/token/refresh',
      server: { ...srv, method: 'POST', path: '/api/v2/auth/token/refresh', body: { token: s.token } },
      floor: { ...flr, method: 'POST', path: '/refresh', body: { token: s.token } },
    },
    {
      key: 'admin_list',
      name: `GET /api/v2/admin/users (page 1 of ${USERS + 1})`,
      server: { ...srv, path: '/api/v2/admin/users', headers: bearer(s.token) },
      floor: { ...flr, path: '/admin/users', headers: bearer(s.token) },
    },
  ];
}

/** One wrk slice with the machine's other CPU use and the server log growth around it. */
async function slice(target, logFile, durationS = SLICE_S) {
  const m0 = machineBusyMs();
  const log0 = logFile ? statSync(logFile).size : 0;
  const r = await runWrk({ ...target, connections: CONNECTIONS, durationS });
  const m1 = machineBusyMs();
  if (r.errors || r.non2xx) throw new Error(`${target.method ?? 'GET'} ${target.path}: ${r.errors} socket error(s), ${r.non2xx} non-2xx answer(s)`);
  if (!r.requests) throw new Error(`${target.path}: no request completed`);
  return {
    ...r,
    cpu_us: (r.server_cpu_ms * 1000) / r.requests,
    ldr_pct: (r.loader_cpu_ms * 100) / r.wall_ms,
    other_pct: Math.max(0, ((m1 - m0 - r.server_cpu_ms - r.loader_cpu_ms) * 100) / r.wall_ms),
    log_bytes: logFile ? (statSync(logFile).size - log0) / r.requests : null,
  };
}

const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length]);

function summarize(slices) {
  const pick = (k) => median(slices.map((x) => x[k]));
  return {
    rps: round(pick('rps')),
    p50_ms: pick('p50_ms'),
    p99_ms: pick('p99_ms'),
    cpu_us_per_req: round(pick('cpu_us')),
    loader_cpu_pct: Math.round(pick('ldr_pct')),
    other_cpu_pct: Math.round(pick('other_pct')),
    ...(slices[0].log_bytes === null ? {} : { log_bytes_per_req: round(pick('log_bytes')) }),
  };
}

async function signinRounds(s) {
  const server = {
    origin: s.base,
    pid: s.server.child.pid,
    method: 'POST',
    path: '/api/v2/auth/token/generate',
    body: { username: s.username, password: s.password },
  };
  // Without organizations (an older server) both sides are the plain sign-in: the figure is then meaningless, and --compare leaves it out.
  const withOrg = s.orgs ? { ...server, body: { ...server.body, org_name: ORG } } : server;
  const rounds = [];
  await runWrk({ ...server, connections: 2 * HASH_CONCURRENCY, durationS: 1 });
  await runWrk({ ...withOrg, connections: 2 * HASH_CONCURRENCY, durationS: 1 });
  await s.argon.run({ warmupMs: 300, durationMs: 0 });
  for (let r = 0; r < SIGNIN_ROUNDS; r++) {
    const got = {};
    for (const who of rotate(['server', 'server_org', 'argon2'], r)) {
      if (who === 'server') got.server = await runWrk({ ...server, connections: 2 * HASH_CONCURRENCY, durationS: 2 });
      else if (who === 'server_org') got.server_org = await runWrk({ ...withOrg, connections: 2 * HASH_CONCURRENCY, durationS: 2 });
      else {
        const a = await s.argon.run({ warmupMs: 100, durationMs: 2000 });
        got.argon2 = { rps: (a.requests / a.duration_ms) * 1000 };
      }
    }
    for (const k of ['server', 'server_org'])
      if (got[k].errors || got[k].non2xx) throw new Error(`sign-in (${k}): ${got[k].errors} error(s), ${got[k].non2xx} non-2xx`);
    rounds.push({
      server: got.server.rps,
      server_org: got.server_org.rps,
      argon2: got.argon2.rps,
      ratio: got.server.rps / got.argon2.rps,
      // Time per sign-in with org_name over time per sign-in without: the throughputs the other way round.
      org_ratio: got.server.rps / got.server_org.rps,
      p50: got.server.p50_ms,
      p99: got.server.p99_ms,
      org_p50: got.server_org.p50_ms,
      org_p99: got.server_org.p99_ms,
    });
    console.log(
      `sign-in round ${r + 1}: server ${round(got.server.rps)}/s, with org_name ${round(got.server_org.rps)}/s, argon2id loop ${round(got.argon2.rps)}/s`,
    );
  }
  return {
    org: {
      rps: round(median(rounds.map((x) => x.server_org))),
      rps_without: round(median(rounds.map((x) => x.server))),
      p50_ms: median(rounds.map((x) => x.org_p50)),
      p99_ms: median(rounds.map((x) => x.org_p99)),
      ratio: round(median(rounds.map((x) => x.org_ratio)), 3),
      ratio_min: round(Math.min(...rounds.map((x) => x.org_ratio)), 3),
      ratio_max: round(Math.max(...rounds.map((x) => x.org_ratio)), 3),
      rounds_ratio: rounds.map((x) => round(x.org_ratio, 3)),
    },
    rps: round(median(rounds.map((x) => x.server))),
    argon2_rps: round(median(rounds.map((x) => x.argon2))),
    p50_ms: median(rounds.map((x) => x.p50)),
    p99_ms: median(rounds.map((x) => x.p99)),
    ratio: round(median(rounds.map((x) => x.ratio)), 3),
    ratio_min: round(Math.min(...rounds.map((x) => x.ratio)), 3),
    ratio_max: round(Math.max(...rounds.map((x) => x.ratio)), 3),
    connections: 2 * HASH_CONCURRENCY,
    hash_concurrency: HASH_CONCURRENCY,
  };
}

async function main() {
  if (!hasWrk()) throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  const started = Date.now();
  ensureBuilt();
  console.log(
    `http: ${SERVER_ROOT}; node ${process.version}, ${availableParallelism()} core(s) (${cpus()[0]?.model ?? '?'}); wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds x ${SLICE_S} s per side; ${USERS} seeded users`,
  );
  const s = await setUp();
  const list = scenarios(s);
  for (const sc of list) {
    await slice(sc.server, null, 1); // warm-up: JIT, caches, SQLite pages
    await slice(sc.floor, null, 1);
  }
  const got = Object.fromEntries(list.map((sc) => [sc.key, { server: [], floor: [] }]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const sc of rotate(list, r)) {
      for (const who of rotate(['server', 'floor'], r)) got[sc.key][who].push(await slice(sc[who], who === 'server' ? s.logFile : null));
    }
    console.log(
      `round ${r + 1}/${ROUNDS}: ${list.map((sc) => `${sc.key} ${round(got[sc.key].server.at(-1).cpu_us / got[sc.key].floor.at(-1).cpu_us, 2)}x`).join(', ')}`,
    );
  }
  const signin = await signinRounds(s);
  const serverMem = memKb(s.server.child.pid);
  await Promise.all([stopChild(s.server.child), stopChild(s.hello.child), stopChild(s.floor.child), s.argon.stop()]);

  const results = {};
  for (const sc of list) {
    const ratios = got[sc.key].server.map((x, i) => x.cpu_us / got[sc.key].floor[i].cpu_us);
    const target = TARGETS[sc.key];
    const ratio = round(median(ratios), 3);
    results[sc.key] = {
      name: sc.name,
      server: summarize(got[sc.key].server),
      floor: summarize(got[sc.key].floor),
      ratio,
      ratio_min: round(Math.min(...ratios), 3),
      ratio_max: round(Math.max(...ratios), 3),
      rounds_ratio: ratios.map((x) => round(x, 3)),
      ...(target ? { target_max: target, pass: ratio <= target } : {}),
    };
  }
  const { org: signinOrg, ...signinPlain } = signin;
  results.signin = {
    name: 'POST /api/v2/auth/token/generate vs argon2id loop',
    ...signinPlain,
    target_min: TARGETS.signin,
    pass: signin.ratio >= TARGETS.signin,
  };
  results.signin_org = {
    name: 'POST /api/v2/auth/token/generate {org_name} vs none (time per sign-in)',
    ...signinOrg,
    target_max: TARGETS.signin_org,
    pass: signinOrg.ratio <= TARGETS.signin_org,
  };

  const ms = (x) => x.toFixed(2);
  const rows = [['scenario', 'side', 'req/s', 'p50 ms', 'p99 ms', 'cpu us/req', 'ldr', 'other', 'log B/req', 'ratio (min..max)', 'target', 'result']];
  for (const sc of list) {
    const r = results[sc.key];
    const verdict = r.target_max ? [`<= ${r.target_max}`, r.pass ? 'PASS' : 'FAIL'] : ['', ''];
    for (const who of ['server', 'floor']) {
      const f = r[who];
      rows.push([
        who === 'server' ? sc.name : '',
        who === 'floor' && sc.floorLabel ? sc.floorLabel : who,
        f.rps.toFixed(0),
        ms(f.p50_ms),
        ms(f.p99_ms),
        f.cpu_us_per_req.toFixed(1),
        `${f.loader_cpu_pct}%`,
        `${f.other_cpu_pct}%`,
        f.log_bytes_per_req?.toFixed(0) ?? '',
        who === 'server' ? `${r.ratio.toFixed(2)}x (${r.ratio_min.toFixed(2)}..${r.ratio_max.toFixed(2)})` : '',
        who === 'server' ? verdict[0] : '',
        who === 'server' ? verdict[1] : '',
      ]);
    }
  }
  rows.push([
    results.signin.name,
    'server',
    signin.rps.toFixed(1),
    ms(signin.p50_ms),
    ms(signin.p99_ms),
    '',
    '',
    '',
    '',
    `${signin.ratio.toFixed(2)} of loop (${signin.ratio_min.toFixed(2)}..${signin.ratio_max.toFixed(2)})`,
    `>= ${TARGETS.signin}`,
    results.signin.pass ? 'PASS' : 'FAIL',
  ]);
  rows.push(['', 'argon2', signin.argon2_rps.toFixed(1), '', '', '', '', '', '', '', '', '']);
  rows.push([
    results.signin_org.name,
    'org_name',
    signinOrg.rps.toFixed(1),
    ms(signinOrg.p50_ms),
    ms(signinOrg.p99_ms),
    '',
    '',
    '',
    '',
    `${signinOrg.ratio.toFixed(2)}x (${signinOrg.ratio_min.toFixed(2)}..${signinOrg.ratio_max.toFixed(2)})`,
    `<= ${TARGETS.signin_org}`,
    results.signin_org.pass ? 'PASS' : 'FAIL',
  ]);
  rows.push(['', 'no org', signinOrg.rps_without.toFixed(1), '', '', '', '', '', '', '', '', '']);
  console.log('');
  printTable(rows);
  console.log(
    `\nserver memory after the run: RSS ${round(serverMem.rss / 1024)} MiB (peak ${round(serverMem.peak / 1024)} MiB); ${USERS} users seeded in ${round(s.seedMs / 1000)} s`,
  );
  const allPass = Object.values(results).every((r) => r.pass !== false);
  const elapsed = round((Date.now() - started) / 1000);
  console.log(
    `targets: ${Object.entries(results)
      .filter(([, r]) => r.pass !== undefined)
      .map(([k, r]) => `${k} ${r.pass ? 'PASS' : 'FAIL'} (${r.ratio})`)
      .join(', ')}; elapsed ${elapsed} s`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ connections: CONNECTIONS, rounds: ROUNDS, slice_s: SLICE_S, users: USERS, results, server_rss_kb: serverMem.rss, server_peak_rss_kb: serverMem.peak, all_targets_pass: allPass, elapsed_s: elapsed })}`,
  );
}

runSection('http', main);
