// The sign-in yardstick for `npm run bench`: a bare argon2id verify loop in
// its own process, with exactly the parameters the server hashes with
// (ARGON2ID_PARAMS, imported from the server's source) and `concurrency`
// verifies in flight, i.e. what the server's semaphore allows.
//
// Usage: node scripts/bench/argon2-loop.js '{"concurrency":2}'
// Prints `ready` once its hash is made, then for each stdin line
// `{"warmupMs":300,"durationMs":2000}` runs one bounded slice (time and
// maxVerifies) and prints one JSON line. Exits when stdin closes, so it never
// outlives the bench.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { register } from 'tsx/esm/api';
import { hash, verify } from '@node-rs/argon2';
import { record } from './histogram.js';

register();
const { ARGON2ID_PARAMS } = await import('../../src-server/lib/password-hasher.ts');

const spec = JSON.parse(process.argv[2] ?? '{}');
const concurrency = spec.concurrency ?? 2;
const password = 'bench-password-Zq8!vR3#tLp9';

const stored = await hash(password, ARGON2ID_PARAMS);
if (!(await verify(stored, password))) throw new Error('argon2 verify returned false for the right password');

async function slice({ warmupMs = 300, durationMs = 2000, maxVerifies = 10_000 }) {
  const t0 = performance.now();
  const measureFrom = t0 + warmupMs;
  const measureTo = measureFrom + durationMs;
  let started = 0;
  let measured = 0;
  let wrong = 0;
  const hist = {};
  const cpu0 = process.cpuUsage();
  let cpuWindow = null;
  let cpuAtStart = null;
  const a = setTimeout(() => (cpuAtStart = process.cpuUsage()), warmupMs);
  const b = setTimeout(() => (cpuWindow = cpuAtStart && process.cpuUsage(cpuAtStart)), warmupMs + durationMs);
  async function worker() {
    while (performance.now() < measureTo && started < maxVerifies) {
      started++;
      const begin = performance.now();
      const ok = await verify(stored, password);
      const end = performance.now();
      if (!ok) wrong++;
      else if (end >= measureFrom && end <= measureTo) {
        measured++;
        record(hist, end - begin);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearTimeout(a);
  clearTimeout(b);
  const total = process.cpuUsage(cpu0);
  return {
    concurrency,
    warmup_ms: warmupMs,
    duration_ms: durationMs,
    requests: measured,
    requests_total: started,
    errors: wrong,
    hist,
    window_cpu_ms: cpuWindow ? Math.round((cpuWindow.user + cpuWindow.system) / 1000) : null,
    cpu_total_ms: Math.round((total.user + total.system) / 1000),
    peak_rss_kb: Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) || null,
  };
}

process.stdout.write(`ready ${JSON.stringify({ params: ARGON2ID_PARAMS, concurrency })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  process.stdout.write(`${JSON.stringify(await slice(JSON.parse(line)))}\n`);
}
