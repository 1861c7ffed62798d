import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `entry`: the bundle's .js as it is, or from the
 * sources its .ts through tsx (tsx-worker.mjs), since Node 20 passes no
 * module loader on to a worker.
 */
export function startThread(entry: URL, workerData: Record<string, unknown>): Worker {
  // No inherited flags: `--input-type=module` (a process started with -e) refuses a file entry.
  return entry.href.endsWith('.ts')
    ? new Worker(new URL('./tsx-worker.mjs', import.meta.url), { execArgv: [], workerData: { ...workerData, entry: entry.href } })
    : new Worker(entry, { execArgv: [], workerData });
}
