import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/**
 * The SQLite database thread of a serving process. better-sqlite3 is
 * synchronous, so whatever SQLite waits for on the main thread stalls every
 * request: a commit's write, the fsync of a checkpoint (4-13 ms measured on
 * this kind of disk), the fsync of the WAL header each time the WAL starts
 * over, a search that has to scan. Here they wait on their own thread:
 *
 * - writes outside any transaction (audit rows, last sign-in, key use) are
 *   queued and committed together, one transaction per turn of this thread's
 *   loop (group commit); each caller's promise settles only after the commit,
 *   so an acknowledged write is in the WAL and survives the process being
 *   killed (synchronous=NORMAL: a power loss may take the last commits);
 * - checkpoints run here, PASSIVE (they never block a writer), when the WAL
 *   passes CHECKPOINT_WRITES writes or a second; the main connection never checkpoints;
 * - reads that may be long (the admin list's count and page) run here too.
 *
 * Transactions (sign-up, admin edits) still run on the main thread through
 * Kysely: rare, and they need their reads and writes in one connection.
 */
export interface SqliteThread {
  run(sql: string, params: readonly unknown[], write: boolean): Promise<{ rows: unknown[]; changes: number }>;
  close(): Promise<void>;
}

/** Writes between checkpoints (each about a page or two: the WAL stays near SQLite's usual 1000 pages). */
const CHECKPOINT_WRITES = 500;

// Plain JavaScript evaluated as the worker: no TypeScript loader and no bundle
// entry needed in any layout (sources through tsx, the prebuilt bundle, tests).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 10000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
db.pragma('wal_autocheckpoint = 0');
// 64 MiB of page cache (SQLite's default is 2 MiB), filled only as pages are read: at a million users
// the admin list's count and a deep page's index walk no longer evict each other (18 ms -> 5 ms a page).
db.pragma('cache_size = -65536');
const cache = new Map();
const prepare = (sql) => {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (cache.size >= 500) cache.delete(cache.keys().next().value);
    cache.set(sql, s);
  }
  return s;
};
const fail = (e) => ({ message: String(e && e.message || e), code: e && e.code, name: e && e.name });
const exec = (m) => {
  const s = prepare(m.sql);
  if (s.reader) return { rows: s.all(...m.params), changes: 0 };
  return { rows: [], changes: s.run(...m.params).changes };
};
let writes = [];
let scheduled = false;
let writesSinceCheckpoint = 0;
let lastCheckpoint = Date.now();
function flush() {
  scheduled = false;
  if (writes.length === 0) return;
  const batch = writes;
  writes = [];
  const out = [];
  try {
    db.exec('begin immediate');
    for (const m of batch) {
      try { out.push({ id: m.id, ...exec(m) }); } catch (e) { out.push({ id: m.id, error: fail(e) }); }
    }
    if (!db.inTransaction) throw new Error('the write transaction was rolled back');
    db.exec('commit');
  } catch (e) {
    if (db.inTransaction) db.exec('rollback');
    out.length = 0;
    for (const m of batch) out.push({ id: m.id, error: fail(e) });
  }
  parentPort.postMessage(out);
  writesSinceCheckpoint += batch.length;
  // PASSIVE: copies what it can without waiting for or blocking anyone; its fsyncs wait here.
  if (writesSinceCheckpoint >= CHECKPOINT_WRITES || Date.now() - lastCheckpoint > 1000) {
    writesSinceCheckpoint = 0;
    lastCheckpoint = Date.now();
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  }
}
// The main thread sends the requests of one of its turns together, as an array; or { close: true }.
parentPort.on('message', (msg) => {
  if (msg.close) {
    if (writes.length) flush();
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  const reads = [];
  for (const m of msg) {
    if (m.write) {
      writes.push(m);
      if (!scheduled) { scheduled = true; setImmediate(flush); }
    } else {
      try { reads.push({ id: m.id, ...exec(m) }); } catch (e) { reads.push({ id: m.id, error: fail(e) }); }
    }
  }
  if (reads.length) parentPort.postMessage(reads);
});
`;

interface Reply {
  id: number;
  rows?: unknown[];
  changes?: number;
  error?: { message: string; code?: string; name?: string };
}

/** Start the database thread for the SQLite file `file`. */
export function startSqliteThread(file: string): SqliteThread {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER.replace('CHECKPOINT_WRITES', String(CHECKPOINT_WRITES)), { eval: true, workerData: { file, driver } });
  const pending = new Map<number, { resolve: (v: { rows: unknown[]; changes: number }) => void; reject: (e: Error) => void }>();
  let next = 1;
  let dead: Error | null = null;
  // Requests made in one turn of the event loop leave in one message (a sign-in's last-login update
  // and audit row: one hand-over, one transaction, one reply), sent once the turn's code has run.
  let outbox: { id: number; sql: string; params: readonly unknown[]; write: boolean }[] = [];
  const send = () => {
    if (outbox.length === 0) return; // close() sent them already
    const batch = outbox;
    outbox = [];
    if (dead) return; // die() has rejected them
    worker.postMessage(batch);
  };
  let closed: (() => void) | null = null;
  worker.on('message', (msg: Reply[] | { closed: true }) => {
    if (!Array.isArray(msg)) return closed?.();
    for (const r of msg) {
      const p = pending.get(r.id);
      if (!p) continue;
      pending.delete(r.id);
      if (r.error) p.reject(Object.assign(new Error(r.error.message), { code: r.error.code, name: r.error.name ?? 'Error' }));
      else p.resolve({ rows: r.rows ?? [], changes: r.changes ?? 0 });
    }
  });
  const die = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    closed?.();
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`the database thread stopped (exit code ${code})`)));
  // It must never keep a finished process alive (a command that forgot to close it); after the
  // listeners, since attaching one refs the worker's port again.
  worker.unref();
  return {
    run(sql, params, write) {
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        // A pending request keeps the process alive until it settles.
        if (pending.size === 1) worker.ref();
        if (outbox.push({ id, sql, params, write }) === 1) queueMicrotask(send);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      }) as Promise<{ rows: unknown[]; changes: number }>;
    },
    async close() {
      if (dead) return;
      send(); // requests of this turn go first: the thread runs them, then closes
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.ref();
        worker.postMessage({ close: true });
      });
      await worker.terminate();
    },
  };
}
