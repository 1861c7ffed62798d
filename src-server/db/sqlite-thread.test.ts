import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { startSqliteThread, type SqliteThread } from './sqlite-thread.ts';

const Database = createRequire(import.meta.url)('better-sqlite3');

describe('the SQLite database thread', () => {
  let dir: string;
  let thread: SqliteThread | null = null;
  const sent: unknown[] = [];
  const realPost = Worker.prototype.postMessage;

  afterEach(async () => {
    Worker.prototype.postMessage = realPost;
    await thread?.close();
    thread = null;
    rmSync(dir, { recursive: true, force: true });
  });

  function open() {
    dir = mkdtempSync(join(tmpdir(), 'gadm-sqlite-thread-'));
    const file = join(dir, 'db.sqlite3');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, v text not null)');
    db.close();
    // Counts the hand-overs to the thread (the real postMessage still runs).
    sent.length = 0;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      sent.push(args[0]);
      return realPost.apply(this, args);
    };
    thread = startSqliteThread(file);
    return thread;
  }

  it('sends the requests of one turn in one message, and commits the writes among them together', async () => {
    const t = open();
    const [a, b, r] = await Promise.all([
      t.run('insert into t (v) values (?) returning id', ['a'], true),
      t.run('insert into t (v) values (?)', ['b'], true),
      t.run('select count(*) as n from t', [], false),
    ]);
    expect(a.rows).toEqual([{ id: 1 }]);
    expect(b.changes).toBe(1);
    expect(r.rows).toEqual([{ n: 0 }]); // the read ran before the writes' commit, on the thread
    expect(sent).toHaveLength(1);
    expect((sent[0] as unknown[]).length).toBe(3);
    // A later turn: one message of its own.
    expect((await t.run('select v from t order by id', [], false)).rows).toEqual([{ v: 'a' }, { v: 'b' }]);
    expect(sent).toHaveLength(2);
  });

  it('a failing statement in a batch fails alone', async () => {
    const t = open();
    const results = await Promise.allSettled([t.run('insert into t (v) values (?)', [null], true), t.run('insert into t (v) values (?)', ['kept'], true)]);
    expect(results[0].status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/NOT NULL/);
    expect(results[1].status).toBe('fulfilled');
    expect((await t.run('select v from t', [], false)).rows).toEqual([{ v: 'kept' }]);
  });

  it('a write asked for in the same turn as close() is stored before the thread closes', async () => {
    const t = open();
    const write = t.run('insert into t (v) values (?)', ['last'], true);
    const closing = t.close();
    thread = null;
    expect((await write).changes).toBe(1);
    await closing;
    const db = new Database(join(dir, 'db.sqlite3'), { readonly: true });
    expect(db.prepare('select v from t').all()).toEqual([{ v: 'last' }]);
    db.close();
  });
});
