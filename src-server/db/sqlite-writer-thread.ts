import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteWriter, type WriterAsk } from './sqlite-writer.ts';

/**
 * The database thread of a serving process (started by writer-port.ts): the
 * SQLite write connection (sqlite-writer.ts), so a commit's write and a
 * checkpoint's fsync wait here and never hold the event loop. It takes the
 * requests of one main-thread turn as one message, or 'close'.
 */
const port = parentPort!;
const writer = createSqliteWriter((workerData as { file: string }).file, (answers) => port.postMessage(answers));
port.on('message', (message: WriterAsk[] | 'close') => {
  if (message !== 'close') return writer.accept(message);
  writer.close();
  port.postMessage('closed');
});
