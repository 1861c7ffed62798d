#!/usr/bin/env node
// `npm run bench` section `backup` (alone: `node scripts/bench/backup.js`):
// backup, restore and db move of the issue's dataset: BENCH_BACKUP_USERS
// (10,000) users, two personal keys each, and BENCH_BACKUP_AUDIT (100,000)
// audit rows.
//
// WHAT RUNS (this process, the server's own modules through tsx, from
// BENCH_SERVER_ROOT when set, see proc.js): the dataset is bulk-inserted
// into a data dir's SQLite file; then, timed each: `backup` of SQLite to a
// .jsonl.gz, `restore` of it into a fresh PostgreSQL schema, `backup` of that
// PostgreSQL schema, `db move` SQLite -> PostgreSQL (another fresh schema) and
// `db move` PostgreSQL -> SQLite (a fresh data dir), through
// src-server/backup/backup-service.ts as the commands call it (no progress
// output). PostgreSQL: TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test;
// its steps are skipped when it does not answer.
//
// First, with a real `serve` on the seeded SQLite data dir: key exchanges one
// after another for 3 s at rest, then while `backup` runs as its own process
// (their p50, p99 and max: the issue asks for none over 100 ms because of the
// backup; on a 2-core machine the two processes share the cores).
//
// TARGET: each step under 60 s. Last line: BENCH_JSON {...}.
import { mkdtempSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { register } from 'tsx/esm/api';
import { SERVER_BIN, SERVER_ROOT, printTable, removeOnExit, round, runSection, spawnTracked, startChild, stopChild } from './proc.js';

register();
const server = (path) => import(pathToFileURL(join(SERVER_ROOT, 'src-server', path)).href);
const { openDatabase } = await server('db/database.ts');
const { loadOrCreateSecrets } = await server('secrets.ts');
const { hmacSha256Hex } = await server('lib/crypto.ts');
const { backup, restore, move } = await server('backup/backup-service.ts');

const intEnv = (name, fallback) => (Number.isInteger(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback);
const USERS = intEnv('BENCH_BACKUP_USERS', 10_000);
const AUDIT = intEnv('BENCH_BACKUP_AUDIT', 100_000);
const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET_S = 60;
const schemas = [];

async function pgAdmin(sql) {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'gadm-bench-backup-'));
  removeOnExit(d);
  return d;
};

async function freshSchema() {
  const name = `bench_backup_${process.pid}_${schemas.length}`;
  await pgAdmin(`drop schema if exists ${name} cascade; create schema ${name}`);
  schemas.push(name);
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${name}`);
  return u.toString();
}

async function seed(dataDir) {
  const { secrets } = loadOrCreateSecrets(dataDir);
  const db = await openDatabase({ dataDir });
  const at = new Date().toISOString();
  try {
    for (let i = 0; i < USERS; i += 500) {
      const users = Array.from({ length: Math.min(500, USERS - i) }, (_, j) => {
        const n = `user${String(i + j).padStart(6, '0')}`;
        return {
          username: n,
          username_lower: n,
          email: `${n}@example.com`,
          email_lower: `${n}@example.com`,
          password_hash: 'bench$x',
          is_active: 1,
          is_staff: 0,
          is_superuser: 0,
          auth_epoch: 0,
          date_joined: at,
        };
      });
      const ids = await db.write.insertInto('users').values(users).returning('id').execute();
      const keys = ids.flatMap((row, j) =>
        [0, 1].map((k) => {
          const id = `k${String(2 * (i + j) + k).padStart(15, '0')}`;
          const secret = createHash('sha256').update(id).digest('base64url');
          return {
            id,
            user_id: row.id,
            name: 'k',
            secret_hash: hmacSha256Hex(secrets.keyPepper, `${id}:${secret}`),
            secret_prefix: secret.slice(0, 8),
            created_at: at,
          };
        }),
      );
      await db.write.insertInto('personal_keys').values(keys).execute();
    }
    for (let i = 0; i < AUDIT; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, AUDIT - i) }, (_, j) => ({
        at,
        actor: 'bench',
        action: 'user.update',
        target_type: 'user',
        target_id: String(i + j),
        target: `user${i + j}`,
        outcome: 'success',
        detail: '{"n":1}',
      }));
      await db.write.insertInto('audit_log').values(rows).execute();
    }
  } finally {
    await db.close();
  }
}

/**
 * Key exchanges against a real `serve` on the seeded SQLite data dir, one
 * after another, for `ms` at rest and then while `backup` runs as its own
 * process: the latencies each time (the issue: no request over 100 ms
 * because of the backup).
 */
async function underLoad(dataDir, file) {
  const { child, match } = await startChild('serve', [SERVER_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    ready: /listening on (http:\/\/\S+)/,
  });
  const base = match[1];
  const exchange = async (i) => {
    const id = `k${String((i * 7919) % (2 * USERS)).padStart(15, '0')}`;
    const secret = createHash('sha256').update(id).digest('base64url');
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v2/auth/pkey/jwt/`, { method: 'POST', headers: { authorization: `PersonalKey ${id}:${secret}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`key exchange answered ${res.status}`);
    return performance.now() - t0;
  };
  const loop = async (until) => {
    const out = [];
    for (let i = 0; !until(); i++) out.push(await exchange(i));
    return out.sort((a, b) => a - b);
  };
  try {
    const restEnd = performance.now() + 3000;
    const rest = await loop(() => performance.now() > restEnd);
    const proc = spawnTracked(process.execPath, [SERVER_BIN, 'backup', file, '--data-dir', dataDir], { stdio: 'ignore' });
    let exited = false;
    const done = new Promise((r) => proc.once('exit', (code) => ((exited = true), r(code))));
    const t0 = performance.now();
    const during = await loop(() => exited);
    const code = await done;
    if (code !== 0) throw new Error(`backup exited with ${code}`);
    const stats = (xs) => ({
      n: xs.length,
      p50_ms: round(xs[Math.floor(xs.length / 2)] ?? 0, 1),
      p99_ms: round(xs[Math.floor(xs.length * 0.99)] ?? 0, 1),
      max_ms: round(xs.at(-1) ?? 0, 1),
    });
    return { backup_s: round((performance.now() - t0) / 1000, 2), at_rest: stats(rest), during_backup: stats(during) };
  } finally {
    await stopChild(child);
  }
}

async function main() {
  const started = Date.now();
  const withPg = await pgAdmin('select 1');
  console.log(
    `backup: node ${process.version}; ${USERS} users, ${2 * USERS} keys, ${AUDIT} audit rows${withPg ? '' : ` (PostgreSQL not reachable at ${PG_URL}: its steps skipped)`}`,
  );
  const source = join(tempDir(), 'data');
  let t = performance.now();
  await seed(source);
  console.log(`seeded SQLite in ${round((performance.now() - t) / 1000, 1)} s`);
  const files = tempDir();
  const results = {};
  const step = async (name, fn, file) => {
    const t0 = performance.now();
    const out = await fn();
    const s = round((performance.now() - t0) / 1000, 2);
    const rows = Object.values(out.tables).reduce((n, x) => n + x.rows, 0);
    results[name] = { s, rows, ...(file ? { file_mb: round(statSync(file).size / 1e6, 1) } : {}), pass: s < TARGET_S };
    console.log(`${name}: ${s} s, ${rows} rows${file ? `, ${results[name].file_mb} MB` : ''}`);
  };
  const load = await underLoad(source, join(files, 'under-load.jsonl.gz'));
  console.log(
    `key exchanges at rest: ${load.at_rest.n}, p50 ${load.at_rest.p50_ms} ms, p99 ${load.at_rest.p99_ms} ms, max ${load.at_rest.max_ms} ms; ` +
      `during a ${load.backup_s} s backup (its own process): ${load.during_backup.n}, p50 ${load.during_backup.p50_ms} ms, p99 ${load.during_backup.p99_ms} ms, max ${load.during_backup.max_ms} ms`,
  );
  const sqliteFile = join(files, 'sqlite.jsonl.gz');
  await step('backup sqlite', () => backup({ dataDir: source }, sqliteFile), sqliteFile);
  if (withPg) {
    const restored = await freshSchema();
    await step('restore -> postgres', () => restore({ dataDir: join(tempDir(), 'data'), databaseUrl: restored }, sqliteFile));
    const pgFile = join(files, 'postgres.jsonl.gz');
    await step('backup postgres', () => backup({ dataDir: source, databaseUrl: restored }, pgFile), pgFile);
    const moved = await freshSchema();
    await step('move sqlite -> postgres', () => move({ dataDir: source }, { dataDir: source, databaseUrl: moved }));
    await step('move postgres -> sqlite', () => move({ dataDir: source, databaseUrl: moved }, { dataDir: join(tempDir(), 'data') }));
  }
  for (const s of schemas) await pgAdmin(`drop schema if exists ${s} cascade`);
  const rows = [['step', 'rows', 'seconds', 'file MB', 'target', 'result']];
  for (const [name, r] of Object.entries(results)) rows.push([name, r.rows, r.s, r.file_mb ?? '-', `< ${TARGET_S} s`, r.pass ? 'PASS' : 'FAIL']);
  console.log('');
  printTable(rows);
  const elapsed = round((Date.now() - started) / 1000);
  console.log(
    `BENCH_JSON ${JSON.stringify({ users: USERS, keys: 2 * USERS, audit: AUDIT, under_load: load, results, all_targets_pass: Object.values(results).every((r) => r.pass), elapsed_s: elapsed })}`,
  );
}

runSection('backup', main);
