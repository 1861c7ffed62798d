#!/usr/bin/env node
// `npm run bench` section `import` (alone: `node scripts/bench/import.js`):
// a user import of BENCH_IMPORT_ROWS (2,000) rows on the bundled server, the
// dry run and then the import for real, on SQLite and on PostgreSQL.
//
// WHAT RUNS (this process, the server's own modules through tsx, from
// BENCH_SERVER_ROOT when set, see proc.js): createServices as `serve` wires
// them, over a data dir's SQLite file with its database thread, and over
// PostgreSQL (TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test, a fresh
// schema; skipped when it does not answer). The file is a CSV of new users,
// each with an email, every other one staff; `userImport.run` is called as the
// route calls it (mode create, on_existing error, all or nothing, no keys).
// Each round imports new names into the same database, so later rounds also
// meet the earlier rounds' accounts.
//
// TARGET: the dry run and the import of 2,000 rows together under 10 s, and
// no personal key made (keys are counted before and after).
// Last line: BENCH_JSON {...}.
//
// Knobs (env): BENCH_ROUNDS (3), BENCH_IMPORT_ROWS (2000).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';
import { intEnv, median, PG_URL, pgAdmin, printTable, removeOnExit, round, runSection, SERVER_ROOT } from './proc.js';

register();
const server = (path) => import(pathToFileURL(join(SERVER_ROOT, 'src-server', path)).href);
const { openDatabase } = await server('db/database.ts');
const { loadConfig } = await server('config.ts');
const { loadOrCreateSecrets } = await server('secrets.ts');
const { createServices } = await server('services.ts');

const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const ROWS = intEnv('BENCH_IMPORT_ROWS', 2000);
const TARGET_S = 10;
const ACTOR = { userId: null, username: 'bench', ip: null };

async function open(dialect) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-bench-import-'));
  removeOnExit(dataDir);
  const schema = dialect === 'postgres' ? `bench_import_${process.pid}` : null;
  if (schema) await pgAdmin(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  const config = loadConfig({ dataDir, logLevel: 'silent', ...(schema ? { databaseUrl: PG_URL } : {}) }, {}, {});
  const { secrets } = loadOrCreateSecrets(dataDir);
  const db = await openDatabase({ dataDir, databaseThread: true, ...(schema ? { databaseUrl: PG_URL, pgSchema: schema } : {}) });
  const services = await createServices(config, { db, secrets });
  const keys = async () =>
    Number(
      (
        await db.read
          .selectFrom('personal_keys')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      ).n,
    );
  const close = async () => {
    await db.close();
    if (schema) await pgAdmin(`drop schema if exists ${schema} cascade`);
  };
  return { services, keys, close };
}

const csvOf = (round) =>
  Buffer.from(`username,email,is_staff\n${Array.from({ length: ROWS }, (_, i) => `r${round}user${i},r${round}user${i}@example.com,${i % 2}`).join('\n')}\n`);

async function main() {
  const started = Date.now();
  const dialects = ['sqlite', ...((await pgAdmin('select 1')) ? ['postgres'] : [])];
  console.log(
    `import: node ${process.version}; ${ROUNDS} rounds x ${ROWS} rows (dry run, then the import); ${dialects.join(', ')}${dialects.includes('postgres') ? '' : ` (PostgreSQL not reachable at ${PG_URL}: skipped)`}`,
  );
  const results = {};
  for (const dialect of dialects) {
    const { services, keys, close } = await open(dialect);
    const rounds = [];
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const file = csvOf(r);
        const keysBefore = await keys();
        const options = { mode: 'create', onExisting: 'error', continueOnError: false, withKeys: false };
        let t = performance.now();
        const dry = await services.userImport.run(ACTOR, file, { ...options, dryRun: true });
        const dryMs = performance.now() - t;
        t = performance.now();
        const real = await services.userImport.run(ACTOR, file, { ...options, dryRun: false });
        const realMs = performance.now() - t;
        const keysMade = (await keys()) - keysBefore;
        if (dry.counts.create !== ROWS || real.counts.written !== ROWS) throw new Error(`${dialect} round ${r + 1}: ${real.message}`);
        rounds.push({ dryMs, realMs, totalMs: dryMs + realMs, keysMade });
        console.log(
          `${dialect} round ${r + 1}: dry run ${round(dryMs / 1000, 2)} s, import ${round(realMs / 1000, 2)} s, ${real.counts.written} written, ${keysMade} keys made`,
        );
      }
    } finally {
      await close();
    }
    const total = round(median(rounds.map((x) => x.totalMs)) / 1000, 2);
    const keysMade = rounds.reduce((n, x) => n + x.keysMade, 0);
    results[dialect] = {
      dry_run_s: round(median(rounds.map((x) => x.dryMs)) / 1000, 2),
      import_s: round(median(rounds.map((x) => x.realMs)) / 1000, 2),
      total_s: total,
      total_max_s: round(Math.max(...rounds.map((x) => x.totalMs)) / 1000, 2),
      keys_made: keysMade,
      target_max_s: TARGET_S,
      pass: total < TARGET_S && keysMade === 0,
    };
  }
  const rows = [['database', 'rows', 'dry run s', 'import s', 'total s (max)', 'keys made', 'target', 'result']];
  for (const [d, r] of Object.entries(results))
    rows.push([d, ROWS, r.dry_run_s, r.import_s, `${r.total_s} (${r.total_max_s})`, r.keys_made, `< ${TARGET_S} s, 0 keys`, r.pass ? 'PASS' : 'FAIL']);
  console.log('');
  printTable(rows);
  const elapsed = round((Date.now() - started) / 1000);
  console.log(
    `targets: ${Object.entries(results)
      .map(([d, r]) => `${d} ${r.pass ? 'PASS' : 'FAIL'} (${r.total_s} s)`)
      .join(', ')}; elapsed ${elapsed} s`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ rounds: ROUNDS, rows: ROWS, results, all_targets_pass: Object.values(results).every((r) => r.pass), elapsed_s: elapsed })}`,
  );
}

runSection('import', main);
