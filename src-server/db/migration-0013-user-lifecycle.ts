import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * `must_change_password`: an administrator asked this user to choose a new
 * password. While set, a password sign-in on the token API is refused with
 * PASSWORD_CHANGE_REQUIRED and the sign-in page sends the person to choose
 * one; their own password change clears it (users/lifecycle-service.ts).
 * Not one of the columns the auth revision watches (migrations.ts): it ends
 * no token by itself, since it takes effect at the next sign-in.
 */
export function userLifecycle(dialect: Dialect): Migration {
  const type = dialect === 'postgres' ? 'boolean' : 'integer';
  const no = dialect === 'postgres' ? 'false' : '0';
  return {
    async up(db: Kysely<unknown>) {
      await sql.raw(`alter table users add column must_change_password ${type} not null default ${no}`).execute(db);
    },
  };
}
