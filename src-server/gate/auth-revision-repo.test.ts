import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { createAuthRevisionRepo } from './auth-revision-repo.ts';

describe('access revision (SQLite)', () => {
  const opened: Db[] = [];
  let dir = '';
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  async function open(): Promise<Db> {
    const db = await openDatabase({ dataDir: dir });
    opened.push(db);
    return db;
  }

  it('moves with every change that can take access away, and not with last-login or last-seen writes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open();
    const repo = createAuthRevisionRepo(db);
    const at = { date_joined: '2026-01-01T00:00:00Z', password_hash: 'x', is_active: 1, is_staff: 0, is_superuser: 0, auth_epoch: 0 };
    await db.write
      .insertInto('users')
      .values({ username: 'u', username_lower: 'u', ...at })
      .execute();
    const r0 = await repo.read();
    await db.write.updateTable('users').set({ last_login: '2026-01-02T00:00:00Z' }).execute();
    expect(await repo.read()).toBe(r0);
    await db.write.updateTable('users').set({ is_staff: 1 }).execute();
    expect(await repo.read()).toBe(r0 + 1);
    await db.write.updateTable('users').set({ is_staff: 1 }).execute(); // no change, no move
    expect(await repo.read()).toBe(r0 + 1);
  });

  it("every read sees a change committed before it, by this process's writer or by another process", async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open();
    const other = await open();
    const repo = createAuthRevisionRepo(db);
    const before = await repo.read();
    await db.write
      .updateTable('auth_revision')
      .set({ revision: before + 5 })
      .execute();
    expect(await repo.read()).toBe(before + 5);
    await other.write
      .updateTable('auth_revision')
      .set({ revision: before + 6 })
      .execute();
    expect(await repo.read()).toBe(before + 6);
  });
});
