// How long this process's event loop was held, measured from inside: a 1 ms
// timer notes the gap between its runs. On a shared machine a late timer may
// only mean the kernel gave the CPU to another process, so each gap is also
// split with the main thread's own counters (/proc/thread-self/schedstat: CPU
// time, time waiting for a CPU while runnable), as scripts/bench/loop-delay-hook.js
// does: `ownMaxMs` is the longest gap less its wait for a CPU, what this
// process itself held the loop for, whatever the neighbours did.
import { readFileSync } from 'node:fs';

export interface LoopStalls {
  /** The longest gap between two 1 ms ticks, less the 1 ms. */
  wallMaxMs: number;
  /** The same, less the time the thread waited for a CPU (null where schedstat is missing). */
  ownMaxMs: number | null;
  /** The most CPU the main thread used between two ticks. */
  busyMaxMs: number | null;
  ticks: number;
}

function schedstat(): { cpu: number; wait: number } | null {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return cpu === undefined || wait === undefined ? null : { cpu, wait };
  } catch {
    return null;
  }
}

/** Start measuring; `stop()` answers what was seen since. */
export function watchLoopStalls(): { stop(): LoopStalls } {
  const seen: LoopStalls = { wallMaxMs: 0, ownMaxMs: null, busyMaxMs: null, ticks: 0 };
  let last = schedstat();
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = schedstat();
    const at = performance.now();
    const wall = at - lastAt;
    seen.ticks++;
    seen.wallMaxMs = Math.max(seen.wallMaxMs, wall - 1);
    if (now && last) {
      seen.ownMaxMs = Math.max(seen.ownMaxMs ?? 0, wall - (now.wait - last.wait) / 1e6 - 1);
      seen.busyMaxMs = Math.max(seen.busyMaxMs ?? 0, (now.cpu - last.cpu) / 1e6);
    }
    last = now;
    lastAt = at;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      const round = (x: number | null) => (x === null ? null : Math.round(Math.max(0, x) * 10) / 10);
      return { wallMaxMs: round(seen.wallMaxMs)!, ownMaxMs: round(seen.ownMaxMs), busyMaxMs: round(seen.busyMaxMs), ticks: seen.ticks };
    },
  };
}
