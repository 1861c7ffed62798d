import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/** Columns the admin list orders by (besides id and username, indexed already). */
const ORDERED = ['email_lower', 'date_joined', 'last_login', 'is_active', 'is_staff', 'is_superuser'] as const;

/**
 * The admin user list at a million users: an index for every orderable
 * column, and a trigram index for substring search.
 *
 * SQLite: an FTS5 table with the `trigram` tokenizer over the lower-cased
 * username and email (external content: it stores only the index, kept in
 * step by triggers), and a narrow index on `id` so deep pages in id order
 * step through small index pages instead of the wide table rows.
 *
 * PostgreSQL: `(column, id)` indexes (PostgreSQL does not break ties by id
 * on its own) and a GIN `pg_trgm` index over username and email joined by a
 * control character (which no search can contain, so no match spans both).
 * Tests and shared databases give each app its own schema via search_path,
 * and an extension lives in exactly one schema per database: pg_trgm goes to
 * `public` (or stays wherever it already is) and the operator class is named
 * with that schema, so every app's index works and dropping an app's schema
 * never drops the extension under the others. Without the right to create the
 * extension, search still works, by scanning.
 */
export function userListAtScale(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        for (const c of ORDERED) await sql`create index if not exists ${sql.id(`users_${c}_idx`)} on users (${sql.id(c)})`.execute(db);
        await sql`create index if not exists users_id_idx on users (id)`.execute(db);
        await sql`create virtual table users_search using fts5(username_lower, email_lower, content='users', content_rowid='id', tokenize='trigram')`.execute(
          db,
        );
        await sql`create trigger users_search_ai after insert on users begin
          insert into users_search (rowid, username_lower, email_lower) values (new.id, new.username_lower, new.email_lower); end`.execute(db);
        await sql`create trigger users_search_ad after delete on users begin
          insert into users_search (users_search, rowid, username_lower, email_lower) values ('delete', old.id, old.username_lower, old.email_lower); end`.execute(
          db,
        );
        await sql`create trigger users_search_au after update of username_lower, email_lower on users begin
          insert into users_search (users_search, rowid, username_lower, email_lower) values ('delete', old.id, old.username_lower, old.email_lower);
          insert into users_search (rowid, username_lower, email_lower) values (new.id, new.username_lower, new.email_lower); end`.execute(db);
        await sql`insert into users_search (users_search) values ('rebuild')`.execute(db);
        return;
      }
      for (const c of ['username_lower', ...ORDERED]) {
        await sql`create index if not exists ${sql.id(`users_${c}_id_idx`)} on users (${sql.id(c)}, id)`.execute(db);
      }
      const schema = await trigramSchema(db);
      if (schema) {
        await sql`create index if not exists users_search_trgm on users using gin ((username_lower || E'\\x01' || coalesce(email_lower, '')) ${sql.id(schema, 'gin_trgm_ops')})`.execute(
          db,
        );
      }
    },
  };
}

/** The schema holding pg_trgm, installing it in `public` when absent; null when it cannot be installed. */
async function trigramSchema(db: Kysely<unknown>): Promise<string | null> {
  const where = async () =>
    (
      await sql<{
        schema: string;
      }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
    ).rows[0]?.schema ?? null;
  const found = await where();
  if (found) return found;
  await sql`savepoint gadm_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`release savepoint gadm_trgm`.execute(db);
  } catch {
    // Not allowed here (no CREATE on the database, or not a trusted extension): search scans instead.
    await sql`rollback to savepoint gadm_trgm`.execute(db);
    return null;
  }
  return where();
}
