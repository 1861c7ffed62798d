import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewUserRow, UserRow, UserRowUpdate } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { User } from '../../src-shared/domain.ts';
import type { ListedUser, SignIn } from '../../src-shared/user-schemas.ts';
import { casedUsernameSkeleton, normalizeUsername, usernameSkeleton } from '../lib/username-identity.ts';
import type { Db } from '../db/database.ts';
import { statement, type Statement } from '../db/statements.ts';
import { createUsersLister } from './users-list.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface NewAccount {
  username: string;
  email?: string | null | undefined;
  passwordHash: string;
  active?: boolean | undefined;
  staff: boolean;
  superuser: boolean;
  /** ISO time of creation. */
  at: string;
  signedIn: boolean;
}

export type { ListUsersFilter } from './users-list.ts';

/**
 * The columns a username sets, derived in this one place: the name in NFKC
 * form (Django's `normalize_username`), its lower-cased lookup key, and its
 * look-alike skeletons: of the folded name (unique in the database) and of
 * the name as written (`aIice`; checked under the accounts lock).
 */
export function usernameColumns(username: string): { username: string; username_lower: string; username_skeleton: string; username_skeleton_cased: string } {
  const name = normalizeUsername(username);
  return {
    username: name,
    username_lower: name.toLowerCase(),
    username_skeleton: usernameSkeleton(name),
    username_skeleton_cased: casedUsernameSkeleton(name),
  };
}

/** The public shape of a user row: never the hash, never the epoch. */
export function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    is_active: bool(row.is_active),
    is_staff: bool(row.is_staff),
    is_superuser: bool(row.is_superuser),
    date_joined: row.date_joined,
    last_login: row.last_login,
  };
}

/** Django's unusable passwords start with `!`, as do those of accounts made through SSO (sso/sso-accounts.ts). */
export const hasUsablePassword = (hash: string) => !hash.startsWith('!');

const SSO_OF = (ids: string) =>
  statement(`select si.user_id, sp.name as idp, o.slug as org from sso_identities si
    left join sso_providers sp on sp.id = si.provider_id left join organizations o on o.id = sp.organization_id
    where si.user_id ${ids} order by si.user_id, sp.name`);
/** A page's ids as one parameter, so one prepared statement serves every page size. */
const SSO_OF_IDS = { sqlite: SSO_OF('in (select value from json_each(?))'), postgres: SSO_OF('= any(?::int[])') };

const BY_ID = statement('select * from users where id = ?');
/** A batch of users by id, as one parameter (as SSO_OF_IDS). */
const BY_IDS = {
  sqlite: statement('select * from users where id in (select value from json_each(?))'),
  postgres: statement('select * from users where id = any(?::int[])'),
};
const BY_USERNAME = statement('select * from users where username_lower = ?');
const BY_EMAIL = statement('select * from users where email_lower = ?');
const IS_ORG_SLUG = statement('select 1 as found from organizations where slug = ?');
/** Patch keys are column names from our own code (UserRowUpdate), never from input; checked all the same. */
const COLUMN = /^[a-z_]{1,40}$/;

/** One prepared UPDATE per set of patched columns (a handful exist: sign-in, edits, password, roles). */
function updateStatement(columns: string[]): Statement {
  for (const c of columns) if (!COLUMN.test(c) || c === 'id') throw new Error(`users: column ${c} cannot be updated`);
  return statement(`update users set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ? returning *`);
}

export function createUsersRepo(db: Pick<Db, 'dialect' | 'statements'>) {
  const { dialect, statements: st } = db;
  const lister = createUsersLister(db);
  const flag = (v: boolean) => (dialect === 'postgres' ? v : v ? 1 : 0);
  return {
    flag,
    async byId(q: Q, id: number): Promise<UserRow | undefined> {
      return st.one<UserRow>(q, BY_ID, [id]);
    },
    /** Users by id, in the order of `ids` (an id that is no user is left out). */
    async byIds(q: Q, ids: readonly number[]): Promise<UserRow[]> {
      if (ids.length === 0) return [];
      const rows = await st.all<UserRow>(q, BY_IDS[dialect], [dialect === 'postgres' ? [...ids] : JSON.stringify(ids)]);
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },
    async byUsername(q: Q, username: string): Promise<UserRow | undefined> {
      return st.one<UserRow>(q, BY_USERNAME, [username.toLowerCase()]);
    },
    /**
     * The account a typed sign-in name means: as typed (case-insensitively),
     * else in Django's NFKC form (`ａｄｍｉｎ` signs in as `admin`). As typed
     * comes first so that names stored before normalisation keep signing in.
     */
    async byLogin(q: Q, typed: string): Promise<UserRow | undefined> {
      const exact = await this.byUsername(q, typed);
      const normal = normalizeUsername(typed);
      return exact ?? (normal === typed ? undefined : this.byUsername(q, normal));
    },
    /**
     * The existing account whose name looks like `username`, if any: either
     * skeleton of one name equal to either skeleton of the other, so `aIice`
     * meets `alice` whichever came first. An exact (case-folded) duplicate
     * comes first, so the caller can tell "taken" from "looks like".
     */
    async lookAlike(q: Q, username: string, exceptId?: number): Promise<UserRow | undefined> {
      const { username_lower, username_skeleton, username_skeleton_cased } = usernameColumns(username);
      const skeletons = [...new Set([username_skeleton, username_skeleton_cased])];
      let query = q
        .selectFrom('users')
        .selectAll()
        .where((eb) =>
          eb.or([eb('username_lower', '=', username_lower), eb('username_skeleton', 'in', skeletons), eb('username_skeleton_cased', 'in', skeletons)]),
        );
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      return query
        .orderBy(sql`case when username_lower = ${username_lower} then 0 else 1 end`)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
    },
    async byEmail(q: Q, email: string): Promise<UserRow | undefined> {
      return st.one<UserRow>(q, BY_EMAIL, [email.toLowerCase()]);
    },
    /** Whether another account's lower-cased email is one of `lowered` (account-identifiers.ts). */
    async withEmailIn(q: Q, lowered: string[], exceptId?: number): Promise<boolean> {
      let query = q.selectFrom('users').select('id').where('email_lower', 'in', lowered);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      return (await query.limit(1).executeTakeFirst()) !== undefined;
    },
    /** Whether another account's lower-cased username is one of `lowered` (account-identifiers.ts). */
    async withUsernameIn(q: Q, lowered: string[], exceptId?: number): Promise<boolean> {
      let query = q.selectFrom('users').select('id').where('username_lower', 'in', lowered);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      return (await query.limit(1).executeTakeFirst()) !== undefined;
    },
    /** Whether an organization's id is this lower-cased name (personal organizations are usernames, so the two never meet). */
    async isOrgSlug(q: Q, lowered: string): Promise<boolean> {
      return (await st.one(q, IS_ORG_SLUG, [lowered])) !== undefined;
    },
    async count(q: Q): Promise<number> {
      const r = await q
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async countActiveSuperusers(q: Q, exceptId?: number): Promise<number> {
      let query = q
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('is_superuser', '=', flag(true))
        .where('is_active', '=', flag(true));
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      const r = await query.executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    /**
     * Insert a new account (admin-created, signed up or invited alike): the
     * lower-cased lookup columns, flags and epoch are derived here, once.
     */
    async create(q: Q, u: NewAccount): Promise<UserRow> {
      const row: NewUserRow = {
        ...usernameColumns(u.username),
        email: u.email ?? null,
        email_lower: u.email ? u.email.toLowerCase() : null,
        password_hash: u.passwordHash,
        is_active: flag(u.active ?? true),
        is_staff: flag(u.staff),
        is_superuser: flag(u.superuser),
        auth_epoch: 0,
        date_joined: u.at,
        // Self-registration signs the person in at once; an admin-created account has not logged in yet.
        last_login: u.signedIn ? u.at : null,
      };
      return q.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async update(q: Q, id: number, patch: UserRowUpdate): Promise<UserRow | undefined> {
      const columns = Object.keys(patch)
        .filter((c) => patch[c as keyof UserRowUpdate] !== undefined)
        .sort();
      if (columns.length === 0) return st.one<UserRow>(q, BY_ID, [id]);
      return st.one<UserRow>(q, updateStatement(columns), [...columns.map((c) => patch[c as keyof UserRowUpdate]), id]);
    },
    async remove(q: Q, id: number): Promise<boolean> {
      const r = await q.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /**
     * A page of users as the admin list shows them, with how each signs in:
     * the IdPs of every user's identities in one read of the page's ids.
     */
    async listed(q: Q, rows: UserRow[]): Promise<ListedUser[]> {
      const ids = rows.map((r) => Number(r.id));
      const sso = new Map<number, SignIn['sso']>();
      if (ids.length > 0) {
        const found = await st.all<{ user_id: number | string; idp: string | null; org: string | null }>(q, SSO_OF_IDS[dialect], [
          dialect === 'postgres' ? ids : JSON.stringify(ids),
        ]);
        for (const f of found) {
          const list = sso.get(Number(f.user_id)) ?? [];
          if (!list.some((x) => x.idp === f.idp && x.organization === f.org)) list.push({ idp: f.idp, organization: f.org });
          sso.set(Number(f.user_id), list);
        }
      }
      return rows.map((r) => ({ ...toUser(r), sign_in: { password: hasUsablePassword(r.password_hash), sso: sso.get(Number(r.id)) ?? [] } }));
    },
    /** The admin list: a page and a count (exact, or an estimate past 10,000 matches). */
    list: lister.list,
    /** The ids of the list's first matches, and their exact count (bulk actions). */
    ids: lister.ids,
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
