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
// output; a backup on its lowered thread, backup-thread.ts). PostgreSQL: TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test;
// its steps are skipped when it does not answer.
//
// The dataset is test/helpers/backup-dataset.ts, as the scale test seeds it
// (test/integration/backup-scale.test.ts, which also asserts that no request
// to a serving server is slowed past 100 ms by a backup beside it).
//
// TARGET: each step under 60 s. Last line: BENCH_JSON {...}.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';
import { intEnv, PG_URL, pgAdmin, printTable, removeOnExit, ROOT, round, runSection, SERVER_ROOT } from './proc.js';

register();
const server = (path) => import(pathToFileURL(join(SERVER_ROOT, 'src-server', path)).href);
const { openDatabase } = await server('db/database.ts');
const { loadOrCreateSecrets } = await server('secrets.ts');
const { backup, restore, move } = await server('backup/backup-service.ts');
// The dataset's own module, from this checkout (it only inserts rows through the database it is given).
const { seedBackupDataset } = await import(pathToFileURL(join(ROOT, 'test/helpers/backup-dataset.ts')).href);

const USERS = intEnv('BENCH_BACKUP_USERS', 10_000);
const AUDIT = intEnv('BENCH_BACKUP_AUDIT', 100_000);
const TARGET_S = 60;
const schemas = [];

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
  const db = await openDatabase({ dataDir });
  try {
    await seedBackupDataset(db, 'sqlite', {
      users: USERS,
      audit: AUDIT,
      pepper: loadOrCreateSecrets(dataDir).secrets.keyPepper,
      passwordHash: () => '!bench-user-no-password',
    });
  } finally {
    await db.close();
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
  const sqliteFile = join(files, 'sqlite.jsonl.gz');
  await step('backup sqlite', () => backup({ dataDir: source }, sqliteFile, undefined, { lowPriority: true }), sqliteFile);
  if (withPg) {
    const restored = await freshSchema();
    await step('restore -> postgres', () => restore({ dataDir: join(tempDir(), 'data'), databaseUrl: restored }, sqliteFile));
    const pgFile = join(files, 'postgres.jsonl.gz');
    await step('backup postgres', () => backup({ dataDir: source, databaseUrl: restored }, pgFile, undefined, { lowPriority: true }), pgFile);
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
    `BENCH_JSON ${JSON.stringify({ users: USERS, keys: 2 * USERS, audit: AUDIT, results, all_targets_pass: Object.values(results).every((r) => r.pass), elapsed_s: elapsed })}`,
  );
}

runSection('backup', main);
