import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Failed sign-ins written before typed names were marked kept whatever was
 * typed as actor and target: a pasted password, a whole `PersonalKey
 * id:secret` (a key that still works), an invitation token. Those entries
 * (a failed `auth.login` naming no account: no target type) keep only the
 * first three characters, as new entries do; the keyed hash that groups new
 * entries needs `.env`, which migrations do not see, so old ones end in
 * `…#old`. One statement: substr counts characters on both dialects.
 */
export const auditUnknownNames: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`update audit_log
      set actor = substr(actor, 1, 3) || ${'…#old'},
          target = case when target is null then null else substr(target, 1, 3) || ${'…#old'} end
      where action = 'auth.login' and outcome = 'failure' and target_type is null`.execute(db);
  },
};
