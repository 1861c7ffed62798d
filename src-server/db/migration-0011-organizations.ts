import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * Organizations (Graphistry's "Manage Organizations"): a named group of
 * users, each a member or an admin, beside every user's personal
 * organization (which is the username itself and has no row here).
 *
 * - `organizations.slug` is the organization's id as clients send it
 *   (`org_name`, `/api/v2/o/<slug>/switch/`): stored lower-case ASCII, so
 *   the unique index is case-insensitive by construction. It never equals a
 *   username (personal organizations use usernames): the services check both
 *   directions under the accounts lock, which a constraint cannot span.
 * - `organization_members`: one row per (organization, user); deleting
 *   either side removes the membership.
 * - `org_sessions`: the organization a token's session switched to
 *   (`sid` claim), so a refreshed token keeps it; swept once expired.
 * - `invitations` gains the organization an invitation joins (null: a site
 *   invitation, as before), the role it gives, and who made it.
 *
 * "An organization never loses its last active admin" is enforced where
 * the change is made, inside the accounts lock (orgs/last-org-admin.ts), as
 * "the last active superuser" is; no trigger backs it up, since the cascades
 * of a deleted user or organization would have to get past it.
 */
export function organizations(dialect: Dialect): Migration {
  const id = dialect === 'postgres' ? 'id serial primary key' : 'id integer primary key autoincrement';
  return {
    async up(db: Kysely<unknown>) {
      const statements = [
        `create table organizations (
          ${id},
          slug varchar(50) not null,
          name varchar(100) not null,
          join_policy varchar(16) not null default 'invite_only',
          created_at varchar(32) not null,
          created_by varchar(150),
          constraint organizations_slug_ck check (slug = lower(slug) and length(slug) between 1 and 50),
          constraint organizations_policy_ck check (join_policy in ('invite_only', 'self_join'))
        )`,
        'create unique index organizations_slug_uq on organizations (slug)',
        `create table organization_members (
          organization_id integer not null references organizations(id) on delete cascade,
          user_id integer not null references users(id) on delete cascade,
          role varchar(8) not null,
          joined_at varchar(32) not null,
          invited_by integer references users(id) on delete set null,
          constraint organization_members_pk primary key (organization_id, user_id),
          constraint organization_members_role_ck check (role in ('admin', 'member'))
        )`,
        'create index organization_members_user_idx on organization_members (user_id)',
        `create table org_sessions (
          sid varchar(64) primary key,
          user_id integer not null references users(id) on delete cascade,
          organization_id integer references organizations(id) on delete cascade,
          switched_at varchar(32) not null,
          expires_at varchar(32) not null
        )`,
        'create index org_sessions_expires_idx on org_sessions (expires_at)',
        // SQLite adds a column with REFERENCES when its default is NULL; the CHECK is judged on each row as usual.
        'alter table invitations add column organization_id integer references organizations(id) on delete cascade',
        "alter table invitations add column org_role varchar(8) check (org_role in ('admin', 'member'))",
        'alter table invitations add column created_by_id integer references users(id) on delete set null',
        'create index invitations_org_idx on invitations (organization_id)',
      ];
      for (const s of statements) await sql.raw(s).execute(db);
    },
  };
}
