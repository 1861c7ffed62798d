import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * `must_change_password`: an administrator asked this user to choose a new
 * password. While set, a password sign-in on the token API is refused with
 * PASSWORD_CHANGE_REQUIRED and the sign-in page sends the person to choose
 * one; their own password change clears it (users/lifecycle-service.ts).
 * Not one of the columns the auth revision watches (migrations.ts): it ends
 * no token by itself, since it takes effect at the next sign-in.
 *
 * An index of the audit log by the thing an entry is about, so the log
 * filtered by the user affected (and its export) reads that user's entries
 * only.
 */
export function userLifecycle(dialect: Dialect): Migration {
  const type = dialect === 'postgres' ? 'boolean' : 'integer';
  const no = dialect === 'postgres' ? 'false' : '0';
  return {
    async up(db: Kysely<unknown>) {
      await sql.raw(`alter table users add column must_change_password ${type} not null default ${no}`).execute(db);
      await sql`create index audit_log_target_idx on audit_log (target_type, target_id, id)`.execute(db);
      await sql`create index audit_log_target_name_idx on audit_log (target, id)`.execute(db);
    },
  };
}
