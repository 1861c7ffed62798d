import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './database.ts';

/** The columns the admin list orders by (besides id): each has its own revision counter. */
const LIST_ORDER_COLUMNS = ['username_lower', 'email_lower', 'date_joined', 'last_login', 'is_active', 'is_staff', 'is_superuser'] as const;

/**
 * Revisions of the admin list's orderings: one row (id 1) of counters that
 * triggers move in the same transaction as the change, whichever process
 * makes it (server, CLI, another instance). `row_set` moves when users are
 * inserted or deleted (every position of every ordering can move); each
 * ordering column's own counter moves when an update changes that column in
 * some row. So a sign-in (last_login) moves `last_login` only, and what was
 * remembered about positions in username order stays valid. Counters wrap
 * instead of overflowing: only equality matters.
 *
 * PostgreSQL: inserts and deletes bump once per statement (a bulk load is one
 * bump, not one per row); updates once per changed row.
 */
export function userListRevision(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const s of userListRevisionStatements(dialect)) await sql.raw(s).execute(db);
    },
  };
}

function userListRevisionStatements(dialect: Dialect): string[] {
  const pg = dialect === 'postgres';
  const changed = (c: string) => (pg ? `old.${c} is distinct from new.${c}` : `old.${c} is not new.${c}`);
  const counters = ['row_set', ...LIST_ORDER_COLUMNS];
  const table = [
    `create table user_list_revision (id integer primary key check (id = 1), ${counters.map((c) => `${c} integer not null default 0`).join(', ')})`,
    'insert into user_list_revision (id) values (1)',
  ];
  /** `counter` plus one when `c` changed in the row (a boolean as 0 or 1), wrapping. */
  const bump = (counter: string, c: string) => `${counter} = (${counter} + ${pg ? `(${changed(c)})::int` : `(${changed(c)})`}) % 2147483647`;
  const bumpRows = 'update user_list_revision set row_set = (row_set + 1) % 2147483647 where id = 1';
  // An id never changes in practice; if it did, positions in every ordering would move.
  const bumpColumns = `update user_list_revision set ${[bump('row_set', 'id'), ...LIST_ORDER_COLUMNS.map((c) => bump(c, c))].join(', ')} where id = 1`;
  const anyChanged = ['id', ...LIST_ORDER_COLUMNS].map(changed).join(' or ');
  if (pg) {
    return [
      ...table,
      // search_path is pinned at creation, so the functions find their table whatever the session's path.
      `create function gadm_bump_user_list_rows() returns trigger language plpgsql set search_path from current as $$ begin ${bumpRows}; return null; end $$`,
      `create function gadm_bump_user_list_columns() returns trigger language plpgsql set search_path from current as $$ begin ${bumpColumns}; return null; end $$`,
      'create trigger user_list_rev_rows after insert or delete on users for each statement execute function gadm_bump_user_list_rows()',
      `create trigger user_list_rev_columns after update on users for each row when (${anyChanged}) execute function gadm_bump_user_list_columns()`,
    ];
  }
  return [
    ...table,
    `create trigger user_list_rev_insert after insert on users begin ${bumpRows}; end`,
    `create trigger user_list_rev_delete after delete on users begin ${bumpRows}; end`,
    `create trigger user_list_rev_update after update of id, ${LIST_ORDER_COLUMNS.join(', ')} on users when ${anyChanged} begin ${bumpColumns}; end`,
  ];
}
