import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * Set-password links (users/password-links-service.ts): an account made
 * without a password (an import) gets one link, single-use and expiring,
 * with which its person chooses one. Only the link's keyed hash is stored,
 * as for invitations; `used_at` is set once, in the UPDATE that claims it.
 */
export function passwordLinks(dialect: Dialect): Migration {
  const id = dialect === 'postgres' ? 'id serial primary key' : 'id integer primary key autoincrement';
  return {
    async up(db: Kysely<unknown>) {
      const statements = [
        `create table password_links (
          ${id},
          token_hash varchar(64) not null,
          user_id integer not null references users(id) on delete cascade,
          created_at varchar(32) not null,
          expires_at varchar(32) not null,
          used_at varchar(32)
        )`,
        'create unique index password_links_token_uq on password_links (token_hash)',
        'create index password_links_user_idx on password_links (user_id)',
      ];
      for (const s of statements) await sql.raw(s).execute(db);
    },
  };
}
