import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { BackupWritten } from './backup-file.ts';
import type { Place } from './snapshot.ts';
import type { Progress } from './progress.ts';

/**
 * The thread a `backup` beside a serving server reads and writes on (started
 * by backup-service.ts), at the lowest CPU priority: it takes the CPU only
 * when the server does not need it, as under `nice -n 19`.
 *
 * On Linux a priority is a thread's. This thread lowers itself and every
 * other thread of the process (V8's garbage collector's and libuv's pool,
 * which compress and write the file) but the main thread, which only waits
 * meanwhile. The main thread then writes the backup's audit entry at its
 * normal priority: that write takes the database's write lock, and a
 * lowered thread holding it would be left waiting for the CPU while the
 * server's own writes wait for it. Elsewhere a priority is the whole
 * process's, lowered as a whole.
 */
export type BackupThreadMessage =
  | { progress: 'table'; name: string; total: number }
  | { progress: 'rows'; n: number }
  | { progress: 'done' }
  | { written: BackupWritten }
  | { error: { message: string; code?: string } };

const port = parentPort!;
const { from, file } = workerData as { from: Place; file: string };
const post = (m: BackupThreadMessage) => port.postMessage(m);

function lowerAllButMain(): void {
  const threads = process.platform === 'linux' ? readdirSync('/proc/self/task').map(Number) : [0];
  for (const id of threads) {
    if (id === process.pid) continue; // the main thread's id is the process's
    try {
      setPriority(id, constants.priority.PRIORITY_LOW);
    } catch {
      // a thread that has ended meanwhile, or a lowering not allowed here
    }
  }
}

const progress: Progress = {
  table: (name, total) => post({ progress: 'table', name, total }),
  rows: (n) => post({ progress: 'rows', n }),
  done: () => post({ progress: 'done' }),
};

lowerAllButMain();
try {
  // Loaded after the lowering: loading and compiling the backup's code is part of its work too.
  const { backupToFile } = await import('./backup-file.ts');
  post({ written: await backupToFile(from, file, progress) });
} catch (e) {
  post({ error: { message: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code } });
}
