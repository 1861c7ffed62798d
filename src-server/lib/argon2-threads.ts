import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';

/**
 * CPU priority of the hashing threads (nice 10: about a tenth of the CPU
 * share of the event loop when both want a core).
 */
export const HASH_THREAD_NICE = 10;

// CommonJS, evaluated in each worker: no file to find at run time, whatever the install layout or TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
const argon2 = require(workerData.argon2);
parentPort.on('message', (job) => {
  try {
    const result = job.op === 'hash' ? argon2.hashSync(job.password, job.params) : argon2.verifySync(job.hash, job.password);
    parentPort.postMessage({ result });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});`;

type Job = { op: 'hash'; password: string; params: Options } | { op: 'verify'; hash: string; password: string };

/**
 * argon2id on threads of its own at a lower CPU priority, rather than on
 * libuv's shared pool. A burst of sign-ins then neither queues other
 * thread-pool work (JWT signature checks, file reads) behind ~50 ms hashes
 * nor takes the cores from the event loop: forward-auth checks and API calls
 * stay fast while sign-ins wait their turn. The caller bounds concurrency
 * (a semaphore), so at most that many threads ever exist; idle ones do not
 * keep the process alive. On systems without per-thread priorities (no
 * /proc/thread-self) the threads simply run at normal priority.
 */
export function createArgon2Threads(nice = HASH_THREAD_NICE) {
  const argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2');
  const idle: Worker[] = [];

  function spawn(): Worker {
    // No inherited flags: `--input-type=module` or a loader's --import would change how the source is read.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { argon2, nice } });
    worker.unref();
    return worker;
  }

  function run<T>(job: Job): Promise<T> {
    const worker = idle.pop() ?? spawn();
    worker.ref(); // a job in flight keeps the process alive (a CLI command awaiting its hash)
    return new Promise<T>((resolve, reject) => {
      const onError = (err: Error) => {
        worker.off('message', onMessage);
        reject(err); // a crashed worker is not reused
      };
      const onMessage = (reply: { result?: T; error?: string }) => {
        worker.off('error', onError);
        worker.unref();
        idle.push(worker);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.result as T);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(job);
    });
  }

  return {
    hash: (password: string, params: Options) => run<string>({ op: 'hash', password, params }),
    verify: (hash: string, password: string) => run<boolean>({ op: 'verify', hash, password }),
  };
}
