#!/usr/bin/env node
// `npm run bench` section `scale` (alone: `node scripts/bench/scale.js`): the
// admin user list with BENCH_SCALE_USERS (1,000,000) users, on SQLite and on
// PostgreSQL (when TEST_PG_URL / postgres://postgres@127.0.0.1:5432/test answers;
// a throwaway schema, dropped at the end).
//
// Seeding is bulk SQL (scripts/bench/seed.js), never the HTTP API. Then the
// real server (bin/graphistry-admin.js serve, default log level) answers, one
// request at a time over keep-alive: the first page, page 10,000, substring
// searches from rare to very common, and the first page of every ordering both
// ways (BENCH_SCALE_DIALECTS, default "sqlite,postgres"). Each is asked BENCH_SCALE_REPEAT (5) times after one warm-up; the
// figure is the MEDIAN of the server's own time for it (the `ms` of its one
// log line per request), next to the median time the client saw.
// TARGET: every one under 20 ms on both databases, but page 10,000: its
// target is retired (issue 20: nobody pages that deep; it is a plain offset
// now), and it is shown for what it costs.
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import {
  call,
  ensureBuilt,
  intEnv,
  median,
  PG_URL,
  printTable,
  removeOnExit,
  ROOT,
  round,
  runSection,
  SERVER_BIN,
  SERVER_ROOT,
  startChild,
  stopChild,
} from './proc.js';
import { seedPostgres, seedSqlite } from './seed.js';

const USERS = intEnv('BENCH_SCALE_USERS', 1_000_000);
const REPEAT = intEnv('BENCH_SCALE_REPEAT', 5);
const TARGET_MS = 20;
const BIN = SERVER_BIN;
const PASSWORD = `Bench-${Math.random().toString(36).slice(2)}-Zq8!vR3#tLp9`;

/** What is asked, as the console asks it (page_size 25 is the API's default; the console shows 50). */
function queries() {
  const q = [
    ['first page (by username)', ''],
    ['page 10,000 (25 per page)', 'page=10000', { retired: true }],
    ['page 10,000 (50 per page)', 'page=10000&page_size=50', { retired: true }],
    ['search "h.smith12" (a handful)', 'search=h.smith12'],
    ['search "mary.sm" (100)', 'search=mary.sm'],
    ['search "smith" (1%)', 'search=smith'],
    ['search "son" (about 10%)', 'search=son'],
    ['search "an" (2 letters: no trigram)', 'search=an'],
    ['staff only, by last login', 'is_staff=true&ordering=-last_login'],
  ];
  for (const f of ['id', 'username', 'email', 'date_joined', 'last_login', 'is_active', 'is_staff', 'is_superuser']) {
    q.push([`ordering ${f}`, `ordering=${f}`], [`ordering -${f}`, `ordering=-${f}`]);
  }
  return q;
}

function cli(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', input: '' });
  if (r.status !== 0) throw new Error(`graphistry-admin ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Migrate, make the administrator, seed, serve; returns what measuring needs. */
async function prepare(dialect, dataDir, schema) {
  const env = { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: PASSWORD };
  for (const k of ['DATABASE_URL', 'GRAPHISTRY_ADMIN_DATA', 'LOG_LEVEL', 'HOST', 'PORT', 'SETUP_TOKEN']) delete env[k];
  const dbArgs = ['--data-dir', dataDir];
  if (dialect === 'postgres') {
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    dbArgs.push('--database-url', u.toString());
  }
  cli(['createsuperuser', '--username', 'benchadmin', ...dbArgs], env);
  process.stdout.write(`${dialect}: seeding ${USERS.toLocaleString('en-US')} users ... `);
  const seedMs = dialect === 'sqlite' ? seedSqlite(join(dataDir, 'graphistry-admin.sqlite3'), USERS) : await seedPostgres(PG_URL, schema, USERS);
  console.log(`${round(seedMs / 1000)} s`);
  const logFile = join(dataDir, `server-${dialect}.log`);
  const server = await startChild(`${dialect} server`, [BIN, 'serve', '--port', '0', ...dbArgs], {
    env,
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    stderrTo: openSync(logFile, 'a'),
    timeoutMs: 300_000,
  });
  const base = server.match[1];
  const { token } = await call('POST', `${base}/api/v2/auth/token/generate`, { body: { username: 'benchadmin', password: PASSWORD } });
  return { server, base, token, logFile, seedMs };
}

/** The `ms` of the server's log line for the n-th request to `path` (its lines are written at the end of each event-loop turn). */
async function serverMs(logFile, requestPath, nth) {
  for (let tries = 0; tries < 50; tries++) {
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`"GET ${requestPath.split('?')[0]}`));
    if (lines.length >= nth) return JSON.parse(lines[nth - 1]).ms;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

async function measure(dialect, s) {
  const rows = [];
  let asked = 0;
  for (const [label, query, { retired = false } = {}] of queries()) {
    const url = `${s.base}/api/v2/admin/users${query ? `?${query}` : ''}`;
    const client = [];
    let answer;
    for (let i = 0; i <= REPEAT; i++) {
      const t0 = performance.now();
      answer = await call('GET', url, { headers: { authorization: `Bearer ${s.token}` } });
      if (i > 0) client.push(performance.now() - t0);
    }
    asked += REPEAT + 1;
    const server = [];
    for (let i = asked - REPEAT + 1; i <= asked; i++) server.push(await serverMs(s.logFile, '/api/v2/admin/users', i));
    const ms = median(server.filter((x) => x !== null));
    rows.push({
      label,
      query,
      server_ms: round(ms, 2),
      client_ms: round(median(client), 2),
      count: answer.count,
      estimated: answer.count_is_estimate === true,
      results: answer.results.length,
      ...(retired ? { retired } : {}),
      pass: retired || ms < TARGET_MS,
    });
  }
  return rows;
}

async function pgAvailable() {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return c;
  } catch {
    return null;
  }
}

async function main() {
  ensureBuilt();
  console.log(`scale: ${SERVER_ROOT}`);
  const started = Date.now();
  const out = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-scale-'));
  removeOnExit(dataDir);
  for (const dialect of (process.env.BENCH_SCALE_DIALECTS ?? 'sqlite,postgres').split(',')) {
    let admin = null;
    let schema = null;
    if (dialect === 'postgres') {
      admin = await pgAvailable();
      if (!admin) {
        console.log(`postgres: not reachable at ${PG_URL}: skipped`);
        out.postgres = { skipped: true };
        continue;
      }
      schema = `bench_scale_${process.pid}`;
      await admin.query(`create schema ${schema}`);
    }
    const dir = join(dataDir, dialect);
    try {
      const s = await prepare(dialect, dir, schema);
      const rows = await measure(dialect, s);
      await stopChild(s.server.child);
      out[dialect] = { users: USERS, seed_s: round(s.seedMs / 1000), rows };
      console.log(`\n${dialect}, ${USERS.toLocaleString('en-US')} users: server time per request, median of ${REPEAT} (target < ${TARGET_MS} ms)`);
      printTable([
        ['request', 'server ms', 'client ms', 'count', 'rows', 'result'],
        ...rows.map((r) => [
          r.label,
          r.server_ms.toFixed(2),
          r.client_ms.toFixed(2),
          `${r.estimated ? '~' : ''}${r.count}`,
          r.results,
          r.retired ? 'retired' : r.pass ? 'PASS' : 'FAIL',
        ]),
      ]);
    } finally {
      if (admin) {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    }
  }
  const all = Object.values(out).flatMap((d) => d.rows ?? []);
  const failed = all.filter((r) => !r.pass).map((r) => r.label);
  console.log(`\n("~" before a count: the server's estimate, past 10,000 matches)`);
  console.log(
    `targets: ${failed.length ? `FAIL (${failed.length}: ${[...new Set(failed)].join('; ')})` : 'all PASS'}; elapsed ${round((Date.now() - started) / 1000)} s`,
  );
  console.log(`BENCH_JSON ${JSON.stringify({ target_ms: TARGET_MS, repeat: REPEAT, ...out, all_targets_pass: failed.length === 0 })}`);
}

runSection('scale', main);
