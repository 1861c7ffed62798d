import { sql, type Kysely, type Migration } from 'kysely';
import { casedSkeleton0008 } from './skeleton-as-of-0008.ts';

/**
 * Every account gets the skeleton of its name as written (not case-folded),
 * beside the folded one from 0003a: `aIice` (capital I) reads as `alice`,
 * which only the unfolded skeleton sees (lib/username-identity.ts; computed
 * here as it was at this migration, skeleton-as-of-0008.ts). Not unique: a
 * new name is checked against both columns under the accounts lock
 * (users/account-identifiers.ts), and names that already look alike this way
 * stay as they are and keep signing in.
 *
 * Written in batches of 500 rows, like 0003a's backfill.
 */
export const usernameSkeletonCased: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('username_skeleton_cased', 'text').execute();
    const rows = (await sql<{ id: number; username: string }>`select id, username from users order by id`.execute(db)).rows;
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const cases = sql.join(
        batch.map((r) => sql`when ${Number(r.id)} then ${casedSkeleton0008(r.username)}`),
        sql` `,
      );
      const ids = sql.join(batch.map((r) => sql`${Number(r.id)}`));
      await sql`update users set username_skeleton_cased = case id ${cases} end where id in (${ids})`.execute(db);
    }
    await sql`create index users_username_skeleton_cased_idx on users (username_skeleton_cased)`.execute(db);
  },
};
