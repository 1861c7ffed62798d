import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';
import { userListAtScale } from './migration-0006-user-list.ts';
import { usernameSkeletonCased } from './migration-0008-username-skeleton-cased.ts';
import { auditUnknownNames } from './migration-0008a-audit-unknown-names.ts';
import { loginThrottle } from './migration-0009-login-throttle.ts';
import { dropUserListRevision } from './migration-0010-drop-user-list-revision.ts';
import { organizations } from './migration-0011-organizations.ts';
import { sso } from './migration-0012-sso.ts';
import { userLifecycle } from './migration-0013-user-lifecycle.ts';
import { passwordLinks } from './migration-0014-password-links.ts';
import { foldedSkeleton0008 } from './skeleton-as-of-0008.ts';

/**
 * Migrations live in code (no files to find at run time, so the bundled
 * server works from any install layout). They run on every start; each is
 * applied once, in name order, inside Kysely's migration lock.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const boolType = dialect === 'postgres' ? 'boolean' : 'integer';
  const falseValue = dialect === 'postgres' ? sql`false` : sql`0`;
  const trueValue = dialect === 'postgres' ? sql`true` : sql`1`;
  return {
    '0001_accounts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('username', 'varchar(150)', (c) => c.notNull())
          .addColumn('username_lower', 'varchar(150)', (c) => c.notNull().unique())
          .addColumn('email', 'varchar(254)')
          .addColumn('email_lower', 'varchar(254)')
          .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
          .addColumn('is_active', boolType, (c) => c.notNull().defaultTo(trueValue))
          .addColumn('is_staff', boolType, (c) => c.notNull().defaultTo(falseValue))
          .addColumn('is_superuser', boolType, (c) => c.notNull().defaultTo(falseValue))
          .addColumn('auth_epoch', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('date_joined', 'varchar(32)', (c) => c.notNull())
          .addColumn('last_login', 'varchar(32)')
          .execute();
        await sql`create unique index users_email_lower_uq on users (email_lower) where email_lower is not null`.execute(db);
        await db.schema.createIndex('users_date_joined_idx').on('users').column('date_joined').execute();

        await db.schema
          .createTable('personal_keys')
          .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('secret_prefix', 'varchar(16)', (c) => c.notNull())
          .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('last_used_at', 'varchar(32)')
          .addColumn('expires_at', 'varchar(32)')
          .addColumn('revoked_at', 'varchar(32)')
          .execute();
        await db.schema.createIndex('personal_keys_user_idx').on('personal_keys').column('user_id').execute();

        await db.schema
          .createTable('settings')
          .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('updated_by', 'varchar(150)')
          .execute();

        await db.schema
          .createTable('meta')
          .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('at', 'varchar(32)', (c) => c.notNull())
          .addColumn('actor_id', 'integer')
          .addColumn('actor', 'varchar(200)', (c) => c.notNull())
          .addColumn('action', 'varchar(64)', (c) => c.notNull())
          .addColumn('target_type', 'varchar(32)')
          .addColumn('target_id', 'varchar(64)')
          .addColumn('target', 'varchar(200)')
          .addColumn('client_ip', 'varchar(64)')
          .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
          .addColumn('detail', 'text')
          .execute();
        await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
      },
    },
    '0002_sessions_invitations': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('auth_epoch', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('last_seen_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('client_ip', 'varchar(64)')
          .execute();
        await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

        await db.schema
          .createTable('invitations')
          .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('note', 'varchar(254)')
          .addColumn('grant_staff', boolType, (c) => c.notNull().defaultTo(falseValue))
          .addColumn('created_by', 'varchar(150)', (c) => c.notNull())
          .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
          .addColumn('used_at', 'varchar(32)')
          .addColumn('used_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('revoked_at', 'varchar(32)')
          .execute();
      },
    },
    '0003a_username_skeleton': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('users').addColumn('username_skeleton', 'text').execute();
        await backfillUsernameSkeletons(db);
        await sql`create unique index users_username_skeleton_uq on users (username_skeleton) where username_skeleton is not null`.execute(db);
      },
    },
    '0005_auth_revision': {
      async up(db: Kysely<unknown>) {
        for (const statement of authRevisionStatements(dialect)) await sql.raw(statement).execute(db);
      },
    },
    '0006_user_list_at_scale': userListAtScale(dialect),
    '0008_username_skeleton_cased': usernameSkeletonCased,
    '0008a_audit_unknown_names': auditUnknownNames,
    '0009_login_throttle': loginThrottle(dialect),
    '0010_drop_user_list_revision': dropUserListRevision(dialect),
    '0011_organizations': organizations(dialect),
    '0012_sso': sso(dialect),
    '0013_user_lifecycle': userLifecycle(dialect),
    '0014_password_links': passwordLinks(dialect),
  };
}

/**
 * Existing accounts get their look-alike skeleton. Where existing names
 * already look alike, the oldest keeps it and the others keep none (and keep
 * signing in as before); a new name like any of them still meets the oldest's.
 * Written in batches, so databases with many users migrate in seconds.
 */
async function backfillUsernameSkeletons(db: Kysely<unknown>): Promise<void> {
  const rows = (await sql<{ id: number; username: string }>`select id, username from users order by id`.execute(db)).rows;
  const taken = new Set<string>();
  const updates: Array<[number, string]> = [];
  for (const row of rows) {
    const skeleton = foldedSkeleton0008(row.username);
    if (taken.has(skeleton)) continue;
    taken.add(skeleton);
    updates.push([Number(row.id), skeleton]);
  }
  for (let i = 0; i < updates.length; i += 500) {
    const batch = updates.slice(i, i + 500);
    const cases = sql.join(
      batch.map(([id, skeleton]) => sql`when ${id} then ${skeleton}`),
      sql` `,
    );
    const ids = sql.join(batch.map(([id]) => sql`${id}`));
    await sql`update users set username_skeleton = case id ${cases} end where id in (${ids})`.execute(db);
  }
}

/**
 * One counter that moves whenever anything that can take access away
 * changes: a user's roles, active flag, auth epoch or name, a deleted user,
 * session or key, a revoked or re-dated key. Triggers bump it in the same
 * transaction as the change, whichever process makes it (server, CLI, another
 * instance), so a cache of verified identities can stay valid exactly until
 * the counter moves. It wraps instead of overflowing: only equality matters.
 */
function authRevisionStatements(dialect: Dialect): string[] {
  const bump = 'update auth_revision set revision = (revision + 1) % 2147483647 where id = 1';
  const userChanged = ['is_active', 'is_staff', 'is_superuser', 'auth_epoch', 'username', 'email']
    .map((c) => (dialect === 'postgres' ? `old.${c} is distinct from new.${c}` : `old.${c} is not new.${c}`))
    .join(' or ');
  const keyChanged =
    dialect === 'postgres'
      ? 'old.revoked_at is distinct from new.revoked_at or old.expires_at is distinct from new.expires_at'
      : 'old.revoked_at is not new.revoked_at or old.expires_at is not new.expires_at';
  const sessionChanged = dialect === 'postgres' ? 'old.auth_epoch is distinct from new.auth_epoch' : 'old.auth_epoch is not new.auth_epoch';
  const triggers: Array<[name: string, event: string, table: string, when: string | null]> = [
    ['auth_rev_users_update', 'update', 'users', userChanged],
    ['auth_rev_users_delete', 'delete', 'users', null],
    ['auth_rev_sessions_update', 'update', 'sessions', sessionChanged],
    ['auth_rev_sessions_delete', 'delete', 'sessions', null],
    ['auth_rev_keys_update', 'update', 'personal_keys', keyChanged],
    ['auth_rev_keys_delete', 'delete', 'personal_keys', null],
  ];
  const table = [
    'create table auth_revision (id integer primary key check (id = 1), revision integer not null)',
    'insert into auth_revision (id, revision) values (1, 0)',
  ];
  if (dialect === 'postgres') {
    return [
      ...table,
      // search_path is pinned at creation, so the function finds its table whatever the session's path.
      `create function gadm_bump_auth_revision() returns trigger language plpgsql set search_path from current as $$ begin ${bump}; return null; end $$`,
      // Row-level, so a statement that deletes nothing (expired-session sweeps) does not move the counter.
      ...triggers.map(
        ([name, event, on, when]) =>
          `create trigger ${name} after ${event} on ${on} for each row${when ? ` when (${when})` : ''} execute function gadm_bump_auth_revision()`,
      ),
    ];
  }
  return [
    ...table,
    ...triggers.map(
      ([name, event, on, when]) => `create trigger ${name} after ${event} on ${on} for each row${when ? ` when ${when}` : ''} begin ${bump}; end`,
    ),
  ];
}

export const LEDGER = 'graphistry_admin_migrations';
/** Same constant in every process: one migrator at a time per PostgreSQL database. */
const MIGRATION_LOCK_KEY = 0x6761_6d67;

/** Every migration this code knows, in the order they apply (a backup records which of them its database had). */
export function migrationNames(dialect: Dialect): string[] {
  return Object.keys(migrations(dialect)).sort((a, b) => a.localeCompare(b));
}

/**
 * Apply pending migrations, in name order, each recorded in a ledger table, all
 * inside one transaction that holds the write lock (the SQLite writer's
 * transactions are IMMEDIATE; an advisory lock on PostgreSQL), so processes
 * starting together migrate once.
 *
 * Kysely's own Migrator is not used: it lists the tables of every schema
 * through the catalog, which fails when another schema of the same database is
 * dropped at that moment (as test suites and other apps do).
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.transaction().execute((q) => applyMigrations(q, dialect));
}

/**
 * The migrations not yet applied, in `q` (a transaction the caller holds);
 * `only`: just these (a restore first builds the schema its backup had, loads
 * the rows, then applies the rest).
 */
export async function applyMigrations(q: Kysely<unknown>, dialect: Dialect, only?: ReadonlySet<string>): Promise<void> {
  const all = Object.entries(migrations(dialect)).sort(([a], [b]) => a.localeCompare(b));
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(q);
  await sql`create table if not exists ${sql.table(LEDGER)} (name varchar(128) primary key, applied_at varchar(32) not null)`.execute(q);
  const done = new Set((await sql<{ name: string }>`select name from ${sql.table(LEDGER)}`.execute(q)).rows.map((r) => r.name));
  for (const name of await adoptedFromKysely(q, dialect)) done.add(name);
  for (const [name, migration] of all) {
    if (done.has(name) || (only && !only.has(name))) continue;
    try {
      await migration.up(q);
    } catch (e) {
      throw new Error(`database migration ${name} failed: ${(e as Error).message}`, { cause: e });
    }
    await sql`insert into ${sql.table(LEDGER)} (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(q);
  }
}

/** Databases first migrated by Kysely's Migrator keep their history: its ledger counts as ours. */
async function adoptedFromKysely(q: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const exists =
    dialect === 'postgres'
      ? (await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(q)).rows[0]?.t
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(q)).rows[0]?.name;
  if (!exists) return [];
  return (await sql<{ name: string }>`select name from kysely_migration`.execute(q)).rows.map((r) => r.name);
}
