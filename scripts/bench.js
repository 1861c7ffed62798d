#!/usr/bin/env node
// `npm run bench`: runs the benchmark sections one after another, each in its
// own process, so one section's children, caches or heap never weigh on the
// next. A section is a standalone script under scripts/bench/ (runnable alone
// with `node scripts/bench/<file>`), that prints a human table and, as its
// last line, `BENCH_JSON {...}`. This runner passes its output through and
// ends with one summary and one combined `BENCH_JSON {"sections": {...}}`.
//
//   npm run bench                         every default section
//   npm run bench -- --only http,scale    just these (in the listed order of SECTIONS)
//   npm run bench -- --skip scale         every default section but these
//   npm run bench -- --list               names and what each measures
//   npm run bench -- --compare DIR [--rounds N]
//                                         before/after: each section runs N times (3)
//                                         on DIR's server (another checkout: before)
//                                         and N times on this one's (after), alternating
//                                         before, after, before, ...; then a table of
//                                         medians and ratios per figure (bench/compare.js);
//                                         BENCH_QUIET_LOAD=2 waits (BENCH_QUIET_MAX_S, 300 s at
//                                         most) before each run for the 1-minute load average
//                                         to fall below 2
//
// Adding a section: write scripts/bench/<name>.js as above and add one entry
// to SECTIONS. `optIn: true` keeps a section out of the default run (still
// selectable with --only). Exit code: 0 when every section ran, 1 when one
// failed (non-zero exit or no BENCH_JSON line), 2 for a bad argument.
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { comparable, printComparison } from './bench/compare.js';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const ROOT_DIR = join(BENCH, '..', '..');

/** Every section, in run order. */
const SECTIONS = [
  { name: 'http', file: 'http.js', about: 'hot endpoints: server CPU per request vs bare node:http floors (wrk); sign-in vs a bare argon2id loop' },
  { name: 'scale', file: 'scale.js', about: 'the admin user list at 1,000,000 users on SQLite and PostgreSQL (bulk-seeded): pages, searches, orderings' },
  { name: 'cli', file: 'cli.js', about: "command-line start-up time and the idle server's memory" },
  {
    name: 'remote',
    file: 'remote-users.js',
    about: "a remote Graphistry's Users page and search through its Django admin (10,000 users in the reference peer): time and HTTP requests each costs",
  },
  {
    name: 'forward-auth',
    file: 'forward-auth.js',
    about: 'the forward-auth check (cookie, Bearer) vs a node:http baseline; its p99 during a burst of sign-ins vs at rest',
  },
  {
    name: 'throttle',
    file: 'throttle.js',
    about: "the shared sign-in throttle's database work per failed sign-in (SQLite, PostgreSQL) vs the argon2id verification it accompanies",
  },
  { name: 'import', file: 'import.js', about: 'a user import of 2,000 rows, dry run then for real, on SQLite and PostgreSQL; and that no key is made' },
  {
    name: 'backup',
    file: 'backup.js',
    about: 'backup, restore and db move of 10,000 users, 20,000 keys and 100,000 audit rows, SQLite -> PostgreSQL and back',
  },
];

function parseArgs(argv) {
  const pick = (flag) => {
    const out = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === flag && argv[i + 1]) out.push(...argv[++i].split(','));
      else if (argv[i].startsWith(`${flag}=`)) out.push(...argv[i].slice(flag.length + 1).split(','));
    }
    return out.map((s) => s.trim()).filter(Boolean);
  };
  const known = new Set(['--only', '--skip', '--list', '--compare', '--rounds']);
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.has(a.split('=')[0]) && !known.has(argv[i - 1]));
  return {
    only: pick('--only'),
    skip: pick('--skip'),
    list: argv.includes('--list'),
    compare: pick('--compare')[0] ?? null,
    rounds: Number(pick('--rounds')[0] ?? 3),
    unknown,
  };
}

function usage(message) {
  console.error(`bench: ${message}`);
  console.error(`sections: ${SECTIONS.map((s) => s.name).join(', ')} (npm run bench -- --list)`);
  process.exit(2);
}

/** Run one section; resolves with { code, json, elapsedS }. Its stdout and stderr pass straight through. */
function runSection(section, env = process.env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(BENCH, section.file)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let json = null;
    let badJson = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (!line.startsWith('BENCH_JSON ')) return;
      try {
        json = JSON.parse(line.slice('BENCH_JSON '.length));
      } catch (e) {
        badJson = String(e?.message ?? e);
      }
    });
    child.once('close', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ code: code ?? signal, json, badJson, elapsedS: Math.round((Date.now() - started) / 100) / 10 });
    });
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.unknown.length) usage(`unknown option ${args.unknown.join(' ')}`);
  if (args.list) {
    for (const s of SECTIONS) console.log(`${s.name.padEnd(14)} ${s.optIn ? '(opt-in) ' : ''}${s.about}`);
    return 0;
  }
  const names = new Set(SECTIONS.map((s) => s.name));
  for (const n of [...args.only, ...args.skip]) if (!names.has(n)) usage(`no section named "${n}"`);
  const chosen = SECTIONS.filter((s) => (args.only.length ? args.only.includes(s.name) : !s.optIn) && !args.skip.includes(s.name));
  if (!chosen.length) usage('no section selected');

  console.log(`Graphistry Admin bench: node ${process.version}, ${availableParallelism()} core(s) (${cpus()[0]?.model ?? 'unknown cpu'})`);
  console.log(`sections: ${chosen.map((s) => s.name).join(', ')}`);
  if (args.compare) return compare(chosen, resolve(args.compare), args.rounds);
  const results = {};
  for (const section of chosen) {
    console.log(`\n=== ${section.name}: ${section.about}`);
    results[section.name] = await runSection(section);
  }

  console.log('\n=== summary');
  let failed = 0;
  for (const section of chosen) {
    const r = results[section.name];
    const ok = r.code === 0 && r.json;
    if (!ok) failed++;
    const why = r.code !== 0 ? `exit ${r.code}` : r.badJson ? `bad BENCH_JSON: ${r.badJson}` : r.json ? 'ok' : 'no BENCH_JSON line';
    console.log(`${section.name.padEnd(14)} ${ok ? 'ok    ' : 'FAILED'} ${String(r.elapsedS).padStart(6)} s  ${ok ? '' : why}`);
  }
  const sections = Object.fromEntries(chosen.map((s) => [s.name, results[s.name].json ?? { failed: true }]));
  console.log(`BENCH_JSON ${JSON.stringify({ node: process.version, cores: availableParallelism(), sections })}`);
  return failed ? 1 : 0;
}

/** Alternate each section between `before` (another checkout's server) and this checkout's, `rounds` times each. */
async function compare(chosen, before, rounds) {
  const sections = chosen.filter((s) => comparable(s.name));
  console.log(`compare: before = ${before}, after = ${ROOT_DIR}; ${rounds} rounds each, alternating`);
  const regressed = [];
  let failed = 0;
  for (const section of sections) {
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      for (const side of ['before', 'after']) {
        const waited = await quiet(Number(process.env.BENCH_QUIET_LOAD) || Infinity);
        const load = round1(loadavg()[0]);
        console.log(`\n=== ${section.name}, round ${r + 1}/${rounds}, ${side} (load ${load}${waited ? `, after waiting ${waited} s for it` : ''})`);
        const env = { ...process.env };
        if (side === 'before') env.BENCH_SERVER_ROOT = before;
        else delete env.BENCH_SERVER_ROOT;
        const got = await runSection(section, env);
        if (got.code !== 0 || !got.json) failed++;
        runs.push({ side, load, json: got.json });
      }
    }
    regressed.push(...printComparison(section.name, runs).map((f) => `${section.name}: ${f}`));
  }
  console.log(
    `\ncompare: ${regressed.length ? `WORSE than the limit: ${regressed.join('; ')}` : 'no figure worse than the limit'}${failed ? `; ${failed} run(s) failed` : ''}`,
  );
  return failed ? 1 : 0;
}
const round1 = (x) => Math.round(x * 10) / 10;

/** Wait, at most BENCH_QUIET_MAX_S (300) seconds, for the 1-minute load average to fall below `below`; the seconds waited. */
async function quiet(below) {
  const started = Date.now();
  const most = (Number(process.env.BENCH_QUIET_MAX_S) || 300) * 1000;
  while (loadavg()[0] >= below && Date.now() - started < most) await new Promise((r) => setTimeout(r, 5_000));
  return Math.round((Date.now() - started) / 1000);
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`bench: ${e?.stack ?? e}`);
    process.exitCode = 1;
  },
);
