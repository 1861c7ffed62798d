import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';

/** The revision row and triggers migration 0007 made for the deep-page anchors (issue 20 removed both), in each dialect. */
const MIGRATION_0007: Record<string, string[]> = {
  sqlite: [
    'create table user_list_revision (id integer primary key check (id = 1), row_set integer not null default 0, last_login integer not null default 0)',
    'insert into user_list_revision (id) values (1)',
    'create trigger user_list_rev_insert after insert on users begin update user_list_revision set row_set = row_set + 1 where id = 1; end',
    'create trigger user_list_rev_delete after delete on users begin update user_list_revision set row_set = row_set + 1 where id = 1; end',
    'create trigger user_list_rev_update after update of last_login on users begin update user_list_revision set last_login = last_login + 1 where id = 1; end',
  ],
  postgres: [
    'create table user_list_revision (id integer primary key check (id = 1), row_set integer not null default 0, last_login integer not null default 0)',
    'insert into user_list_revision (id) values (1)',
    'create function gadm_bump_user_list_rows() returns trigger language plpgsql set search_path from current as $$ begin update user_list_revision set row_set = row_set + 1 where id = 1; return null; end $$',
    'create function gadm_bump_user_list_columns() returns trigger language plpgsql set search_path from current as $$ begin update user_list_revision set last_login = last_login + 1 where id = 1; return null; end $$',
    'create trigger user_list_rev_rows after insert or delete on users for each statement execute function gadm_bump_user_list_rows()',
    'create trigger user_list_rev_columns after update on users for each row execute function gadm_bump_user_list_columns()',
  ],
};

describe.each(dialects())("migration 0010 drops the deep-page anchors' revision row and triggers (%s)", (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  /** What of 0007 is left: its table, triggers and (PostgreSQL) functions, by name. */
  async function leftOf0007(): Promise<string[]> {
    const q = t!.db.read;
    const text =
      dialect === 'postgres'
        ? `select relname as name from pg_class where relname = 'user_list_revision' and relnamespace = current_schema()::regnamespace
           union all select tgname from pg_trigger where tgname like 'user_list_rev%' and tgrelid = 'users'::regclass
           union all select proname from pg_proc where proname like 'gadm_bump_user_list%' and pronamespace = current_schema()::regnamespace`
        : "select name from sqlite_master where name = 'user_list_revision' or name like 'user_list_rev_%'";
    return (await sql.raw<{ name: string }>(text).execute(q)).rows.map((r) => r.name).sort();
  }

  it('a database migrated before issue 20 loses them, and sign-ins write no revision any more', async () => {
    const dataDir = tempDir();
    const pgSchema = dialect === 'postgres' ? await createSchema() : undefined;
    const opts = { dataDir, ...(pgSchema ? { pgSchema } : {}) };
    try {
      t = await makeTestApp(dialect, opts);
      await signup(t.app, 'admin');
      // Back to a database of before issue 20: 0007's objects present, 0010 not applied.
      for (const s of MIGRATION_0007[dialect]!) await sql.raw(s).execute(t.db.write);
      await sql`delete from graphistry_admin_migrations where name = '0010_drop_user_list_revision'`.execute(t.db.write);
      expect((await leftOf0007()).length).toBeGreaterThan(2);
      await t.close();

      t = await makeTestApp(dialect, opts); // migrates again
      expect(await leftOf0007()).toEqual([]);
      const login = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'admin', password: STRONG_PASSWORD } });
      expect(login.statusCode).toBe(200);
      expect(json<{ token: string }>(login).token).toBeTruthy();
    } finally {
      await t?.close();
      t = undefined;
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a new database never has them', async () => {
    t = await makeTestApp(dialect);
    expect(await leftOf0007()).toEqual([]);
  });
});
