import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * Drops what migration 0007 made for the admin list's deep-page anchors: the
 * `user_list_revision` row and the triggers that bumped it on every write to
 * `users`, each sign-in included (on PostgreSQL, several server processes
 * queued on that one row). Anchors turned a page past offset 20,000 from
 * 7-31 ms into 0.2 ms, and nobody pages there: such pages now read with a
 * plain offset. `if exists`: databases made since 0007 left the code never
 * had them.
 */
export function dropUserListRevision(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const statements =
        dialect === 'postgres'
          ? [
              'drop trigger if exists user_list_rev_rows on users',
              'drop trigger if exists user_list_rev_columns on users',
              'drop function if exists gadm_bump_user_list_rows()',
              'drop function if exists gadm_bump_user_list_columns()',
            ]
          : ['drop trigger if exists user_list_rev_insert', 'drop trigger if exists user_list_rev_delete', 'drop trigger if exists user_list_rev_update'];
      for (const s of [...statements, 'drop table if exists user_list_revision']) await sql.raw(s).execute(db);
    },
  };
}
