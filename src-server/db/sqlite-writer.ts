import SQLite from 'better-sqlite3';

/**
 * One request to the writer: a statement, or a transaction step, of one of
 * Kysely's connections (`conn`; 0 for db.statements' own). A statement of a
 * connection with no open transaction is autocommit.
 */
export type WriterRequest = { conn: number } & ({ sql: string; params: unknown[] } | { step: 'begin' | 'commit' | 'rollback' });
export type WriterAsk = WriterRequest & { id: number };
export interface WriterAnswer {
  id: number;
  rows?: unknown[];
  changes?: number;
  insertId?: number;
  error?: { message: string; code?: string | undefined };
}

/** Writes between checkpoints (each about a page or two, near SQLite's usual 1000 pages, when the checkpoint lets the WAL start over). */
const CHECKPOINT_WRITES = 500;
/**
 * A WAL this long (about 40 MB) means checkpoints elsewhere are not keeping
 * up: a passive checkpoint lets the WAL start over only if no write lands
 * while it runs, and under a steady stream of writes on a busy disk one
 * always does.
 */
export const WAL_FRAMES_LIMIT = 10_000;

const failure = (e: unknown): WriterAnswer['error'] => ({ message: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code });

/**
 * The SQLite write connection of a process: every write and every
 * transaction runs here, in the database thread of a serving process
 * (sqlite-writer-thread.ts) or in-process in a one-shot command.
 *
 * - Autocommit statements (audit rows, last sign-in, key use, throttle
 *   counters) are queued and committed together, one transaction per turn
 *   (group commit); each is answered only after the commit, so an
 *   acknowledged write survives the process being killed
 *   (synchronous=NORMAL: a power loss may take the last commits).
 * - A transaction (`begin` .. `commit`) holds the connection: other
 *   connections' requests wait until it ends, queued here rather than in
 *   SQLite's busy handler. It starts IMMEDIATE, so deciding and writing in
 *   it cannot race another process.
 * - A PASSIVE checkpoint (it never blocks a writer) is due every
 *   CHECKPOINT_WRITES writes or a second. `handOff` runs it on a connection
 *   of its own elsewhere (the database thread's checkpointer), so no write
 *   waits for a checkpoint's fsync, which takes a few milliseconds on a quiet
 *   disk and hundreds while the disk is busy (a backup being written, another
 *   program's writes); without it, or when it answers false, it runs here.
 *   When the checkpointer finds the WAL past WAL_FRAMES_LIMIT, `catchUp()`
 *   has the next one run here, between two writes, so it copies everything
 *   and the WAL starts over.
 */
export function createSqliteWriter(file: string, answer: (answers: WriterAnswer[]) => void, handOff?: () => boolean) {
  const db = new SQLite(file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('wal_autocheckpoint = 0');
  const statements = new Map<string, SQLite.Statement>();
  const prepare = (text: string): SQLite.Statement => {
    let s = statements.get(text);
    if (!s) {
      s = db.prepare(text);
      if (statements.size >= 500) statements.delete(statements.keys().next().value as string);
      statements.set(text, s);
    }
    return s;
  };
  const run = (a: WriterAsk & { sql: string; params: unknown[] }): WriterAnswer => {
    try {
      const s = prepare(a.sql);
      if (s.reader) return { id: a.id, rows: s.all(...a.params) };
      const r = s.run(...a.params);
      return { id: a.id, changes: r.changes, insertId: Number(r.lastInsertRowid) };
    } catch (e) {
      return { id: a.id, error: failure(e) };
    }
  };

  let batch: Array<WriterAsk & { sql: string; params: unknown[] }> = [];
  let owner: number | null = null; // the connection whose transaction is open
  const held: WriterAsk[] = [];
  let writes = 0;
  let checkpointed = Date.now();
  let behind = false;

  function wrote(n: number): void {
    writes += n;
    const here = behind && owner === null;
    if (!here && writes < CHECKPOINT_WRITES && Date.now() - checkpointed < 1000) return;
    writes = 0;
    checkpointed = Date.now();
    // Caught up unless the checkpointer was in the middle of one (busy): then after the next write.
    if (here) behind = checkpoint(db).busy;
    else if (!handOff?.()) checkpoint(db);
  }

  function commitBatch(): void {
    if (batch.length === 0) return;
    const asks = batch;
    batch = [];
    let out: WriterAnswer[];
    try {
      db.exec('begin immediate');
      out = asks.map(run);
      if (!db.inTransaction) throw new Error('the write transaction was rolled back');
      db.exec('commit');
    } catch (e) {
      if (db.inTransaction) db.exec('rollback');
      out = asks.map((a) => ({ id: a.id, error: failure(e) }));
    }
    answer(out);
    wrote(asks.length);
  }

  function take(a: WriterAsk, out: WriterAnswer[]): void {
    if (owner !== null && a.conn !== owner) {
      held.push(a);
    } else if ('sql' in a) {
      if (owner !== null) out.push(run(a));
      else if (batch.push(a) === 1) setImmediate(commitBatch);
    } else if (a.step === 'begin') {
      commitBatch(); // what was asked before the transaction commits before it
      try {
        db.exec('begin immediate');
        owner = a.conn;
        out.push({ id: a.id });
      } catch (e) {
        out.push({ id: a.id, error: failure(e) });
      }
    } else {
      try {
        db.exec(a.step);
        out.push({ id: a.id });
      } catch (e) {
        if (db.inTransaction) db.exec('rollback');
        out.push({ id: a.id, error: failure(e) });
      }
      owner = null;
      wrote(1);
      for (const h of held.splice(0)) take(h, out);
    }
  }

  return {
    /** Take requests, in order; answers come through `answer` (a transaction's at once, autocommit ones after their commit). */
    accept(asks: WriterAsk[]): void {
      const out: WriterAnswer[] = [];
      for (const a of asks) take(a, out);
      if (out.length) answer(out);
    },
    /** The next checkpoint runs here, after the next write (the checkpointer elsewhere is not keeping up). */
    catchUp(): void {
      behind = true;
    },
    /** Commit what is queued, checkpoint, close. */
    close(): void {
      commitBatch();
      checkpoint(db);
      db.close();
    },
  };
}

/**
 * Copies what the WAL holds into the database, as far as no reader still
 * needs it; never waits for a reader or a writer. Answers whether another
 * connection's checkpoint was running (busy) and how many frames the WAL
 * held.
 */
export function checkpoint(db: SQLite.Database): { busy: boolean; frames: number } {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number }>;
    return { busy: r?.busy === 1, frames: Math.max(0, r?.log ?? 0) };
  } catch {
    // Failed: the next one copies what this one could not (and the last connection's close copies the rest).
    return { busy: false, frames: 0 };
  }
}
export type SqliteWriter = ReturnType<typeof createSqliteWriter>;
