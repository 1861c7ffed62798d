// The sign-in yardstick for `npm run bench`: a bare argon2id verify loop in
// its own process, with exactly the parameters the server hashes with
// (ARGON2ID_PARAMS, imported from the server's source) and `concurrency`
// verifies in flight, i.e. what the server's semaphore allows.
//
// Usage: node scripts/bench/argon2-loop.js '{"concurrency":2,"warmupMs":1000,"durationMs":5000}'
// Prints one JSON line on stdout. Bounded by time and by maxVerifies.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';
import { hash, verify } from '@node-rs/argon2';

register();
const { ARGON2ID_PARAMS } = await import('../../src-server/lib/password-hasher.ts');

const spec = JSON.parse(process.argv[2] ?? '{}');
const concurrency = spec.concurrency ?? 2;
const warmupMs = spec.warmupMs ?? 1000;
const durationMs = spec.durationMs ?? 5000;
const maxVerifies = spec.maxVerifies ?? 100_000;
const password = 'bench-password-Zq8!vR3#tLp9';

const stored = await hash(password, ARGON2ID_PARAMS);
if (!(await verify(stored, password))) throw new Error('argon2 verify returned false for the right password');

const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const measureTo = measureFrom + durationMs;
let started = 0;
let measured = 0;
let wrong = 0;
const latencies = [];

async function worker() {
  while (performance.now() < measureTo && started < maxVerifies) {
    started++;
    const begin = performance.now();
    const ok = await verify(stored, password);
    const end = performance.now();
    if (!ok) wrong++;
    else if (begin >= measureFrom && end <= measureTo) {
      measured++;
      latencies.push(end - begin);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 1000) / 1000 : null);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(
  `${JSON.stringify({
    concurrency,
    params: ARGON2ID_PARAMS,
    warmup_ms: warmupMs,
    duration_ms: durationMs,
    verifies: measured,
    rps: Math.round((measured / durationMs) * 1000 * 10) / 10,
    errors: wrong,
    latency_ms: { p50: pct(50), p99: pct(99) },
    peak_rss_kb: hwm ? Number(hwm[1]) : null,
  })}\n`,
);
