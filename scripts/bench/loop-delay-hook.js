// A bench-only hook, loaded into the server with `node --import`: measures
// the event loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution)
// and, on SIGUSR2, writes what it saw since the last SIGUSR2 to the file in
// $BENCH_LOOP_DELAY_FILE (one JSON object), then starts afresh. The server's
// own code knows nothing of it.
//
// On a busy machine the loop is also late whenever the kernel runs another
// process instead (wall-clock delay without any work of ours). So it also
// reads the main thread's own CPU time (/proc/thread-self/schedstat) at every
// 1 ms tick: CPU spent between two ticks is time the loop really was busy, and
// the run-queue wait says how long the thread waited for a CPU.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';

const schedstat = () => {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpu, wait };
  } catch {
    return null;
  }
};
let last = schedstat();
let busyMax = 0;
let busyOver2 = 0;
let waitAtStart = last?.wait ?? 0;
setInterval(() => {
  const now = schedstat();
  if (!now || !last) return;
  const busyMs = (now.cpu - last.cpu) / 1e6;
  busyMax = Math.max(busyMax, busyMs);
  if (busyMs > 2) busyOver2++;
  last = now;
}, 1).unref();

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let since = performance.now();
let gcMax = 0;
let gcOver2 = 0;
let gcMaxKind = null;
const gcKinds = {};
const GC_KIND = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
// Garbage collection pauses, to tell them apart from stalls of our own code.
try {
  const { PerformanceObserver } = await import('node:perf_hooks');
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = GC_KIND[e.detail?.kind] ?? String(e.detail?.kind);
      if (e.duration > gcMax) gcMaxKind = kind;
      gcMax = Math.max(gcMax, e.duration);
      if (e.duration > 2) {
        gcOver2++;
        gcKinds[kind] = (gcKinds[kind] ?? 0) + 1;
      }
    }
  }).observe({ entryTypes: ['gc'] });
} catch {
  /* no gc entries on this runtime */
}

process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const over = (limitMs) => {
    // The share of samples above the limit, from the recorded percentiles.
    let share = 0;
    for (const [p, v] of histogram.percentiles) if (v > limitMs * 1e6) share = Math.max(share, 100 - p);
    return Math.round(share * 1000) / 1000;
  };
  const report = {
    window_s: Math.round(performance.now() - since) / 1000,
    samples: histogram.count,
    max_ms: ms(histogram.max),
    p50_ms: ms(histogram.percentile(50)),
    p99_ms: ms(histogram.percentile(99)),
    p999_ms: ms(histogram.percentile(99.9)),
    mean_ms: ms(histogram.mean),
    pct_samples_over_2ms: over(2),
    gc_max_ms: Math.round(gcMax * 100) / 100,
    gc_pauses_over_2ms: gcOver2,
    gc_max_kind: gcMaxKind,
    gc_over_2ms_by_kind: { ...gcKinds },
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
    // Main-thread CPU between two 1 ms ticks: the longest the loop was really busy.
    busy_between_ticks_max_ms: Math.round(busyMax * 100) / 100,
    busy_between_ticks_over_2ms: busyOver2,
    main_thread_runqueue_wait_ms: last ? Math.round((last.wait - waitAtStart) / 1e4) / 100 : null,
  };
  writeFileSync(process.env.BENCH_LOOP_DELAY_FILE, JSON.stringify(report));
  histogram.reset();
  since = performance.now();
  gcMax = 0;
  gcOver2 = 0;
  gcMaxKind = null;
  for (const k of Object.keys(gcKinds)) delete gcKinds[k];
  busyMax = 0;
  busyOver2 = 0;
  waitAtStart = last?.wait ?? 0;
});
