import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.ts';
import { statement } from './statements.ts';

const KEY = statement('select value from meta where key = ?');

describe('the two SQLite handles', () => {
  let db: Db | null = null;
  let dir = '';
  afterEach(async () => {
    await db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });
  async function open(): Promise<Db> {
    dir = mkdtempSync(join(tmpdir(), 'gadm-db-'));
    db = await openDatabase({ dataDir: dir });
    return db;
  }

  it('db.read refuses a write, so no write can bypass the writer and its commit order', async () => {
    const d = await open();
    await expect(d.read.insertInto('meta').values({ key: 'k', value: 'v' }).execute()).rejects.toThrow(/readonly|read-only|query_only/i);
    await expect(d.statements.run(d.read, statement('delete from meta where key = ?'), ['k'])).rejects.toThrow(/readonly|read-only|query_only/i);
  });

  it('db.read answers while a transaction holds the writer, with the last commit', async () => {
    const d = await open();
    await d.write.insertInto('meta').values({ key: 'k', value: 'committed' }).execute();
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const tx = d.withAccountsLock(async (trx) => {
      await trx.updateTable('meta').set({ value: 'in transaction' }).where('key', '=', 'k').execute();
      await held;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(await d.statements.one(d.read, KEY, ['k'])).toEqual({ value: 'committed' });
    expect(await d.read.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirst()).toEqual({ value: 'committed' });
    release();
    await tx;
    expect(await d.statements.one(d.read, KEY, ['k'])).toEqual({ value: 'in transaction' });
  });
});
