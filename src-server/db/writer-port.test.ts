import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { inProcessWriter, threadWriter, type WriterPort } from './writer-port.ts';

const ways = [
  ['on the database thread', threadWriter],
  ['in-process', inProcessWriter],
] as const;

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
    dir = mkdtempSync(join(tmpdir(), 'gadm-writer-'));
    const file = join(dir, 'db.sqlite3');
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, v text not null)');
    db.close();
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
