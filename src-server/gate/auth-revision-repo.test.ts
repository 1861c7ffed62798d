import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';
import { createAuthRevisionRepo } from './auth-revision-repo.ts';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('access revision (SQLite)', () => {
  const opened: Db[] = [];
  let dir = '';
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  async function open(databaseThread = false): Promise<Db> {
    const db = await openDatabase({ dataDir: dir, databaseThread });
    opened.push(db);
    return db;
  }

  it('moves with every change that can take access away, and not with last-login or last-seen writes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open();
    const repo = createAuthRevisionRepo(db);
    const at = { date_joined: '2026-01-01T00:00:00Z', password_hash: 'x', is_active: 1, is_staff: 0, is_superuser: 0, auth_epoch: 0 };
    await db.kysely.insertInto('users').values({ username: 'u', username_lower: 'u', ...at }).execute();
    const r0 = await repo.read();
    await db.kysely.updateTable('users').set({ last_login: '2026-01-02T00:00:00Z' }).execute();
    expect(await repo.read()).toBe(r0);
    await db.kysely.updateTable('users').set({ is_staff: 1 }).execute();
    expect(await repo.read()).toBe(r0 + 1);
    await db.kysely.updateTable('users').set({ is_staff: 1 }).execute(); // no change, no move
    expect(await repo.read()).toBe(r0 + 1);
  });

  // Guards a check reusing the turn's shared read after this very process demoted someone in the same turn.
  it('a check right after a change made by this process sees it, even in the same event-loop turn', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open();
    const repo = createAuthRevisionRepo(db);
    const before = await repo.current();
    await db.kysely.updateTable('auth_revision').set({ revision: before + 5 }).execute();
    expect(await repo.current()).toBe(before + 5);
  });

  // Guards a check sharing a read taken before a sign-out that the database thread committed, once its caller resumes.
  it("a write the database thread commits moves this process's statement count by the time its caller resumes", async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open(true);
    const before = db.localStatements!();
    const changed = await db.statements.run(db.kysely, statement('update auth_revision set revision = revision + 7 where id = ?'), [1]);
    expect(changed).toBe(1);
    expect(db.localStatements!()).toBeGreaterThan(before);
    expect(await createAuthRevisionRepo(db).current()).toBe((await createAuthRevisionRepo(db).read()));
  });

  it("another process's change is seen from the next turn on (requests sent after it arrive in a later turn)", async () => {
    dir = mkdtempSync(join(tmpdir(), 'gadm-rev-'));
    const db = await open();
    const other = await open();
    const repo = createAuthRevisionRepo(db);
    const before = await repo.current();
    await other.kysely.updateTable('auth_revision').set({ revision: before + 1 }).execute();
    expect(await repo.read()).toBe(before + 1); // a fresh read always sees it
    await nextTurn();
    expect(await repo.current()).toBe(before + 1);
  });
});
