import { startThread } from '../lib/start-thread.ts';
import { createSqliteWriter, type WriterAnswer, type WriterAsk, type WriterRequest } from './sqlite-writer.ts';

export type WriterResult = Required<Pick<WriterAnswer, 'rows' | 'changes'>> & { insertId: number | undefined };

/** How the main thread reaches the SQLite writer (sqlite-writer.ts). */
export interface WriterPort {
  ask(request: WriterRequest): Promise<WriterResult>;
  close(): Promise<void>;
}

/**
 * Requests made in one turn of the event loop leave together, once the turn's
 * code has run (a sign-in's last-login update and audit row: one hand-over,
 * one group commit); each promise settles with its own answer.
 */
function createAsker(deliver: (asks: WriterAsk[]) => void, inFlight: (busy: boolean) => void) {
  const pending = new Map<number, { resolve: (r: WriterResult) => void; reject: (e: Error) => void }>();
  let outbox: WriterAsk[] = [];
  let next = 1;
  let dead: Error | null = null;
  const send = () => {
    const asks = outbox;
    outbox = [];
    if (asks.length && !dead) deliver(asks);
  };
  return {
    send,
    ask(request: WriterRequest): Promise<WriterResult> {
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        if (pending.size === 1) inFlight(true);
        if (outbox.push({ ...request, id }) === 1) queueMicrotask(send);
      });
    },
    answer(answers: WriterAnswer[]): void {
      for (const a of answers) {
        const p = pending.get(a.id);
        pending.delete(a.id);
        if (a.error) p?.reject(Object.assign(new Error(a.error.message), { code: a.error.code, name: 'SqliteError' }));
        else p?.resolve({ rows: a.rows ?? [], changes: a.changes ?? 0, insertId: a.insertId });
      }
      if (pending.size === 0) inFlight(false);
    },
    fail(e: Error): void {
      dead = e;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      inFlight(false);
    },
  };
}

/** The writer in this thread: one-shot commands, which have no requests to keep a loop free for. */
export function inProcessWriter(file: string): WriterPort {
  const asker = createAsker(
    (asks) => writer.accept(asks),
    () => undefined,
  );
  const writer = createSqliteWriter(file, (answers) => asker.answer(answers));
  return {
    ask: (request) => asker.ask(request),
    async close() {
      asker.send();
      writer.close();
    },
  };
}

/**
 * The writer on a database thread (sqlite-writer-thread.ts): the bundle's .js
 * beside this module's chunk, or from the sources its .ts through tsx.
 */
export function threadWriter(file: string): WriterPort {
  const sources = import.meta.url.endsWith('.ts');
  const worker = startThread(new URL(`./sqlite-writer-thread.${sources ? 'ts' : 'js'}`, import.meta.url), { file });
  let closed: (() => void) | null = null;
  let gone = false;
  // A request in flight keeps the process alive until it settles; an idle thread never does.
  const asker = createAsker(
    (asks) => worker.postMessage(asks),
    (busy) => (busy ? worker.ref() : worker.unref()),
  );
  worker.on('message', (message: WriterAnswer[] | 'closed') => (message === 'closed' ? closed?.() : asker.answer(message)));
  const die = (e: Error) => {
    gone = true;
    asker.fail(e);
    closed?.();
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`the database thread stopped (exit code ${code})`)));
  // After the listeners: attaching one refs the worker again.
  worker.unref();
  return {
    ask: (request) => asker.ask(request),
    async close() {
      if (gone) return;
      asker.send(); // this turn's requests go first: the thread runs them, then closes
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.ref();
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}
