// Process plumbing shared by the bench sections: children that never outlive
// the bench, readiness on a stdout line, and CPU/memory from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH, '..', '..');
/**
 * The checkout whose server a section runs: this one, or BENCH_SERVER_ROOT,
 * another checkout (a worktree of an earlier commit) measured by this
 * harness, so a before/after differs in the server alone (`npm run bench --
 * --compare DIR` sets it on alternate rounds).
 */
export const SERVER_ROOT = process.env.BENCH_SERVER_ROOT || ROOT;
export const SERVER_BIN = join(SERVER_ROOT, 'bin', 'graphistry-admin.js');
/** A whole positive number from the environment (a section's knob), or `fallback`. */
export const intEnv = (name, fallback) => (Number.isInteger(Number(process.env[name])) && Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback);
/** The PostgreSQL the sections use (a throwaway schema each), as the tests do. */
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on PG_URL as its own connection: true when it ran (false: PostgreSQL does not answer, and the section skips it). */
export async function pgAdmin(sql) {
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
const CLK_TCK = 100; // Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat

const children = new Set();
const tempDirs = new Set();
export function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Run a section's `main`: children and temp folders are cleaned up either way; a failure is printed and exits 1. */
export function runSection(name, main) {
  main().then(
    () => cleanup(),
    (e) => {
      console.error(`bench ${name}: ERROR: ${e?.stack ?? e}`);
      cleanup();
      process.exitCode = 1;
    },
  );
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`\nbench: ${sig}, stopping children`);
    cleanup();
    process.exit(130);
  });
}
export const removeOnExit = (dir) => tempDirs.add(dir);

export function spawnTracked(cmd, args, opts) {
  const child = spawn(cmd, args, { cwd: ROOT, ...opts });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export const isAlive = (child) => child.exitCode === null && child.signalCode === null;

/**
 * Start a Node child and resolve with { child, match, stderr() } once a stdout
 * line matches `ready`. stderr goes to `stderrTo` (a file descriptor) or is
 * kept (bounded) for the error message.
 */
export function startChild(label, args, { env = process.env, ready, timeoutMs = 60_000, stdin = 'pipe', stderrTo = 'pipe', nodeArgs = [] }) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [...nodeArgs, ...args], { env, stdio: [stdin, 'pipe', stderrTo] });
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
      if (m) finish(null, { child, match: m, stderr: () => err });
    };
    child.stdout.on('data', onData);
    child.stderr?.on('data', (d) => {
      if (err.length < 20_000) err += d;
    });
    child.once('exit', (code, sig) => finish(new Error(`${label}: exited (${code ?? sig}) before it was ready\n${out}${err}`)));
  });
}

/** SIGTERM (or closing stdin), then SIGKILL if it lingers. */
export async function stopChild(child, graceMs = 5000) {
  if (!isAlive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** utime + stime of a process, all its threads, in ms (null once it is gone). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
  } catch {
    return null;
  }
}

/** CPU time the whole machine spent busy, in ms (all cores). */
export function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return ((f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLK_TCK) * 1000;
}

/** { rss, peak } in KiB from /proc/<pid>/status. */
export function memKb(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) || null;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: null, peak: null };
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** JSON over fetch with an expected status; throws with the body otherwise. */
export async function call(method, url, { headers = {}, body, expect = 200 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${url}: expected ${expect}, got ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A table with the first column left-aligned, the others right-aligned. */
export function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) =>
    r
      .map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/**
 * The bench measures what users run: bin/graphistry-admin.js on the prebuilt
 * bundle. Rebuild it (with that checkout's own build script) when any source
 * is newer (bin would otherwise fall back to the sources through tsx).
 */
export function ensureBuilt(root = SERVER_ROOT) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-server.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-server failed: ${r.stderr || r.stdout}`);
}
