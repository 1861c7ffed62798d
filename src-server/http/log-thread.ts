import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

// Plain JavaScript evaluated as the worker: no file to find in any install layout.
// `done[0]` is how many texts it has written, for the writer's at-exit step.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const done = new Int32Array(workerData.done);
const pause = new Int32Array(new SharedArrayBuffer(4));
parentPort.on('message', (m) => {
  if (typeof m !== 'string') return parentPort.postMessage({ flushed: m.flush });
  const b = Buffer.from(m);
  for (let off = 0; off < b.length; ) {
    try { off += writeSync(workerData.fd, b, off); }
    catch (e) { if (e.code !== 'EAGAIN') break; Atomics.wait(pause, 0, 0, 5); }
  }
  Atomics.add(done, 0, 1);
});
`;

/**
 * A log destination whose writes happen on a thread of their own. Writing to
 * stderr blocks the event loop: for a file, the kernel's share of each write
 * (in the stalls bench the main thread was busy for over 2 ms at a stretch
 * seven times as often with the request lines on as off); for a pipe to a
 * slow reader (journald, the console reading the bundled server's log), the
 * write waits outright once the pipe is full.
 *
 * `write` hands one text over (callers batch lines); `flush` resolves once
 * everything handed over is written. Text still on its way when the process
 * exits is written synchronously then, so nothing is lost or doubled.
 */
export function threadedLogWriter(fd: number) {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { eval: true, workerData: { fd, done: done.buffer } });
  const inFlight = new Map<number, string>();
  let sent = 0;
  const forget = () => {
    const written = Atomics.load(done, 0);
    for (const seq of inFlight.keys()) {
      if (seq > written) break;
      inFlight.delete(seq);
    }
  };
  const flushed = new Map<number, () => void>();
  worker.on('message', (m: { flushed: number }) => {
    flushed.get(m.flushed)?.();
    flushed.delete(m.flushed);
  });
  worker.on('error', () => undefined);
  // After the listeners: attaching one refs the worker's port again, and it must never keep a process alive.
  worker.unref();
  process.once('exit', () => {
    forget();
    for (const text of inFlight.values()) writeSync(fd, text);
  });
  return {
    write(text: string) {
      forget();
      inFlight.set(++sent, text);
      worker.postMessage(text);
    },
    flush(): Promise<void> {
      const upTo = sent;
      worker.ref();
      return new Promise<void>((resolve) => {
        flushed.set(upTo, resolve);
        worker.postMessage({ flush: upTo });
      }).finally(() => {
        if (flushed.size === 0) worker.unref();
      });
    },
  };
}
