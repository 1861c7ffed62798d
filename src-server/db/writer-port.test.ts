import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { inProcessWriter, threadWriter, type WriterPort } from './writer-port.ts';
import { createSqliteWriter, WAL_FRAMES_LIMIT, type WriterRequest } from './sqlite-writer.ts';

const ways = [
  ['on the database thread', threadWriter],
  ['in-process', inProcessWriter],
] as const;

/** A WAL database in a temp dir with one table, t. */
function tableT(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gadm-writer-'));
  const file = join(dir, 'db.sqlite3');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.exec('create table t (id integer primary key, v text not null)');
  db.close();
  return { dir, file };
}

describe.each(ways)('the SQLite writer, %s', (_name, start) => {
  let dir = '';
  let writer: WriterPort | null = null;
  const realPost = Worker.prototype.postMessage;
  const sent: unknown[] = [];

  afterEach(async () => {
    Worker.prototype.postMessage = realPost;
    await writer?.close();
    writer = null;
    rmSync(dir, { recursive: true, force: true });
  });

  function open(): { w: WriterPort; file: string } {
    let file: string;
    ({ dir, file } = tableT());
    // Counts the hand-overs to the thread (the real postMessage still runs).
    sent.length = 0;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      sent.push(args[0]);
      return realPost.apply(this, args);
    };
    writer = start(file);
    return { w: writer, file };
  }
  const read = (file: string, text: string) => {
    const db = new SQLite(file, { readonly: true });
    try {
      return db.prepare(text).all();
    } finally {
      db.close();
    }
  };

  it('answers a write only once it is committed, and the writes of one turn leave and commit together', async () => {
    const { w, file } = open();
    const [a, b] = await Promise.all([
      w.ask({ conn: 1, sql: 'insert into t (v) values (?) returning id', params: ['a'] }),
      w.ask({ conn: 2, sql: 'insert into t (v) values (?)', params: ['b'] }),
    ]);
    expect(a.rows).toEqual([{ id: 1 }]);
    expect(b.changes).toBe(1);
    // Another connection sees both the moment they are answered: they are in the WAL.
    expect(read(file, 'select v from t order by id')).toEqual([{ v: 'a' }, { v: 'b' }]);
    if (start === threadWriter) expect(sent.filter((m) => m !== 'close')).toHaveLength(1);
  });

  it('a failing statement in a group fails alone', async () => {
    const { w, file } = open();
    const results = await Promise.allSettled([
      w.ask({ conn: 1, sql: 'insert into t (v) values (?)', params: [null] }),
      w.ask({ conn: 2, sql: 'insert into t (v) values (?)', params: ['kept'] }),
    ]);
    expect(results[0].status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ message: expect.stringMatching(/NOT NULL/), code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(results[1].status).toBe('fulfilled');
    expect(read(file, 'select v from t')).toEqual([{ v: 'kept' }]);
  });

  it('an open transaction holds every other connection until it ends, and a rollback undoes it', async () => {
    const { w, file } = open();
    await w.ask({ conn: 1, step: 'begin' });
    await w.ask({ conn: 1, sql: 'insert into t (v) values (?)', params: ['in tx'] });
    let outsideDone = false;
    const outside = w.ask({ conn: 2, sql: 'insert into t (v) values (?)', params: ['after'] }).then((r) => ((outsideDone = true), r));
    await new Promise((r) => setTimeout(r, 50));
    expect(outsideDone).toBe(false);
    expect(read(file, 'select v from t')).toEqual([]); // uncommitted: invisible to others
    await w.ask({ conn: 1, step: 'rollback' });
    expect((await outside).changes).toBe(1);
    expect(read(file, 'select v from t')).toEqual([{ v: 'after' }]);
  });

  it('a write asked for in the same turn as close() is stored before the writer closes', async () => {
    const { w, file } = open();
    const write = w.ask({ conn: 1, sql: 'insert into t (v) values (?)', params: ['last'] });
    const closing = w.close();
    writer = null;
    expect((await write).changes).toBe(1);
    await closing;
    expect(read(file, 'select v from t')).toEqual([{ v: 'last' }]);
  });
});

describe('checkpoints', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fresh(): string {
    let file: string;
    ({ dir, file } = tableT());
    return file;
  }
  // Each write alone: one commit, one WAL frame (a page and its header).
  async function writeEach(ask: (r: WriterRequest) => Promise<unknown>, n: number): Promise<void> {
    for (let i = 0; i < n; i++) await ask({ conn: 1, sql: 'insert into t (v) values (?)', params: [`row ${i}`] });
  }
  const FRAME = 4096 + 24;
  // A checkpoint lets the next write start the WAL over, so the WAL file stays near the frames of the writes between two checkpoints (500); with none, it holds every frame.
  const walFrames = (file: string) => Math.round(statSync(`${file}-wal`).size / FRAME);
  // Frames copied into the database by the last checkpoint since the WAL started over: nBackfill, at byte 96 of the WAL index (SQLite's walformat.html).
  const backfilled = (file: string) => readFileSync(`${file}-shm`).readUInt32LE(96);

  it('a writer that hands its checkpoints off runs none itself; without a taker, or when the taker refuses, it runs them', async () => {
    for (const taker of ['takes', 'refuses', 'none'] as const) {
      const file = fresh();
      let asked = 0;
      const handOff = taker === 'none' ? undefined : () => (asked++, taker === 'takes');
      const waiting = new Map<number, () => void>();
      const w = createSqliteWriter(file, (answers) => answers.forEach((a) => waiting.get(a.id)?.()), handOff);
      let id = 0;
      const ask = (r: WriterRequest) => new Promise<void>((resolve) => (waiting.set(++id, resolve), w.accept([{ ...r, id }])));
      await writeEach(ask, 3000);
      const frames = walFrames(file);
      if (taker !== 'none') expect(asked, taker).toBeGreaterThanOrEqual(6);
      if (taker === 'takes') {
        expect(frames, taker).toBeGreaterThanOrEqual(3000);
        expect(backfilled(file), 'copied by the writer').toBe(0);
        // Told the checkpointer is behind: the next write is followed by a checkpoint here, which copies it all.
        w.catchUp();
        await writeEach(ask, 1);
        expect(backfilled(file)).toBeGreaterThanOrEqual(3001);
      } else {
        expect(frames, taker).toBeLessThan(1200);
      }
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on the database thread, its checkpointer runs them on a connection of its own', async () => {
    const file = fresh();
    const w = threadWriter(file);
    try {
      await writeEach(w.ask, 600);
      // Nothing else has the database open: whatever was copied, the checkpointer copied (it starts after the writer, so give it time).
      const until = Date.now() + 10_000;
      while (backfilled(file) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(backfilled(file)).toBeGreaterThan(0);
      // Writes one after another leave it no pause to catch up in (one lands during each of its checkpoints), so the WAL
      // grows until the checkpointer says it is behind and the writer copies the rest: 10,000 writes of 4 frames each
      // (a row with 3 overflow pages) never make it hold their 40,000 frames.
      await writeEach((r) => w.ask({ ...r, params: ['x'.repeat(12_000)] }), 10_000);
      expect(walFrames(file)).toBeLessThan(2.5 * WAL_FRAMES_LIMIT);
    } finally {
      await w.close();
    }
  });
});
