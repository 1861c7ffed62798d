import { once } from 'node:events';
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { startThread } from '../lib/start-thread.ts';
import { checkpoint, createSqliteWriter, WAL_FRAMES_LIMIT, type WriterAsk } from './sqlite-writer.ts';

/**
 * The database threads of a serving process (started by writer-port.ts):
 *
 * - The writer: the SQLite write connection (sqlite-writer.ts), so a
 *   commit's write never holds the event loop. It takes the requests of one
 *   main-thread turn as one message, or 'close'.
 * - Its checkpointer, a thread the writer starts with a connection of its
 *   own: it runs the checkpoints the writer asks for ('now'), so a write never
 *   waits behind a checkpoint's fsync, and says when the WAL has outgrown
 *   them ('behind': the writer runs the next one). Should it stop, the writer
 *   runs them all itself again.
 */
const port = parentPort!;
const { file, role } = workerData as { file: string; role?: 'checkpointer' };
if (role === 'checkpointer') checkpointer();
else writer();

function writer(): void {
  let away: Worker | null = startThread(new URL(import.meta.url), { file, role: 'checkpointer' });
  // A checkpointer that cannot run (it exits, with or without an error) hands its work back.
  away.on('error', () => undefined);
  away.once('exit', () => (away = null));
  const handOff = () => (away?.postMessage('now'), away !== null);
  const w = createSqliteWriter(file, (answers) => port.postMessage(answers), handOff);
  away.on('message', (message: 'behind') => message === 'behind' && w.catchUp());
  port.on('message', async (message: WriterAsk[] | 'close') => {
    if (message !== 'close') return w.accept(message);
    if (away) {
      const gone = once(away, 'exit');
      away.postMessage('close');
      await gone;
    }
    w.close();
    port.postMessage('closed');
  });
}

function checkpointer(): void {
  const db = new SQLite(file, { fileMustExist: true });
  let due = false;
  port.on('message', (message: 'now' | 'close') => {
    if (message === 'close') {
      db.close();
      port.close();
    } else if (!due) {
      // Asks that came in during a checkpoint are one more checkpoint, not one each.
      due = true;
      setImmediate(() => {
        due = false;
        if (db.open && checkpoint(db).frames >= WAL_FRAMES_LIMIT) port.postMessage('behind');
      });
    }
  });
}
