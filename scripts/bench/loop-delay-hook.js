// A bench-only hook, loaded into a process with `node --import`: measures its
// event loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and,
// on SIGUSR2, writes what it saw since the last SIGUSR2 to the file in
// $BENCH_LOOP_DELAY_FILE (one JSON object), then starts afresh. The measured
// code knows nothing of it. The stalls bench loads it into the server and
// into a control process (an idle node that only runs this hook) beside it.
//
// monitorEventLoopDelay records the interval between its 1 ms timer's runs,
// so an idle loop records about 1.08 ms; the *delay* reported here is that
// interval less the 1 ms (how late the timer ran).
//
// On a busy machine the loop is also late whenever the kernel runs another
// thread on the CPU it needs (wall-clock delay without any work of ours). So
// a second 1 ms timer reads the main thread's own counters
// (/proc/thread-self/schedstat: CPU time, time waiting for a CPU while
// runnable) at every tick. Per tick: wall-clock gap = CPU + wait for a CPU +
// the rest (asleep: in epoll until the timer, or in a lock, a GC helper, a
// stolen vCPU), and how many times it got a CPU in between. The loop's *own* delay is the gap less its wait for a CPU,
// less the 1 ms interval: what the process itself held the loop for,
// whatever the neighbours did.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';

const RESOLUTION_MS = 1;
const round2 = (x) => Math.round(x * 100) / 100;

const schedstat = () => {
  try {
    const [cpu, wait, slices] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpu, wait, slices };
  } catch {
    return null;
  }
};

let last = schedstat();
let lastAt = performance.now();
let waitAtStart = last?.wait ?? 0;
let ticks;
function resetTicks() {
  ticks = {
    busyMax: 0, // the main thread's CPU between two ticks
    busyOver2: 0,
    ownMax: 0, // the tick's gap less the wait for a CPU, less the interval
    ownOver2: 0,
    worst: null, // the latest tick, split up
  };
}
resetTicks();
setInterval(() => {
  const now = schedstat();
  const at = performance.now();
  if (now && last) {
    const wallMs = at - lastAt;
    const busyMs = (now.cpu - last.cpu) / 1e6;
    const waitMs = (now.wait - last.wait) / 1e6;
    const ownMs = Math.max(0, wallMs - waitMs - RESOLUTION_MS);
    ticks.busyMax = Math.max(ticks.busyMax, busyMs);
    if (busyMs > 2) ticks.busyOver2++;
    ticks.ownMax = Math.max(ticks.ownMax, ownMs);
    if (ownMs > 2) ticks.ownOver2++;
    if (!ticks.worst || wallMs > ticks.worst.wall_ms) {
      // runs: how many times the thread got a CPU in between (1: it slept once, in epoll until the timer, and woke late).
      ticks.worst = { wall_ms: round2(wallMs), cpu_ms: round2(busyMs), cpu_wait_ms: round2(waitMs), asleep_ms: round2(wallMs - busyMs - waitMs), runs: now.slices - last.slices };
    }
  }
  last = now;
  lastAt = at;
}, RESOLUTION_MS).unref();

const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let since = performance.now();

// Garbage collection pauses, to tell them apart from stalls of the code's own.
const GC_KIND = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
let gc;
const resetGc = () => (gc = { max: 0, maxKind: null, over2: 0, kinds: {} });
resetGc();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KIND[e.detail?.kind] ?? String(e.detail?.kind);
    if (e.duration > gc.max) gc.maxKind = kind;
    gc.max = Math.max(gc.max, e.duration);
    if (e.duration > 2) {
      gc.over2++;
      gc.kinds[kind] = (gc.kinds[kind] ?? 0) + 1;
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGUSR2', () => {
  const delay = (ns) => round2(Math.max(0, ns / 1e6 - RESOLUTION_MS));
  const report = {
    window_s: Math.round(performance.now() - since) / 1000,
    samples: histogram.count,
    // monitorEventLoopDelay, less its 1 ms interval
    delay_max_ms: delay(histogram.max),
    delay_p999_ms: delay(histogram.percentile(99.9)),
    delay_p99_ms: delay(histogram.percentile(99)),
    delay_p50_ms: delay(histogram.percentile(50)),
    // the same, less the main thread's waits for a CPU
    own_delay_max_ms: round2(ticks.ownMax),
    own_delays_over_2ms: ticks.ownOver2,
    busy_between_ticks_max_ms: round2(ticks.busyMax),
    busy_between_ticks_over_2ms: ticks.busyOver2,
    worst_tick: ticks.worst,
    cpu_wait_ms: last ? round2((last.wait - waitAtStart) / 1e6) : null,
    gc_max_ms: round2(gc.max),
    gc_max_kind: gc.maxKind,
    gc_pauses_over_2ms: gc.over2,
    gc_over_2ms_by_kind: { ...gc.kinds },
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
  };
  writeFileSync(process.env.BENCH_LOOP_DELAY_FILE, JSON.stringify(report));
  histogram.reset();
  since = performance.now();
  resetGc();
  resetTicks();
  waitAtStart = last?.wait ?? 0;
});
