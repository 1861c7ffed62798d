import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganizationRow, OrgMemberRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';
import { AppError } from '../errors.ts';
import type { Membership, Organization, OrgMember, OrgRole } from '../../src-shared/org-schemas.ts';

type Q = Kysely<Database> | Transaction<Database>;

export type OrgOrderField = 'slug' | 'name' | 'created_at' | 'member_count';

export interface OrgListFilter {
  search?: string | undefined;
  orderBy: OrgOrderField;
  descending: boolean;
  limit: number;
  offset: number;
  /** Whose role each row carries (null: nobody's). */
  viewerId: number | null;
}

export interface MembersFilter {
  search?: string | undefined;
  role?: OrgRole | undefined;
  limit: number;
  offset: number;
}

/** The refusal for a slug another organization holds (a unique violation, or found first). */
export function slugTaken(slug: string): AppError {
  return new AppError('SLUG_TAKEN', `An organization with the id “${slug}” already exists: choose another id.`, {
    fields: [{ field: 'slug', message: 'already in use' }],
  });
}

/** Sort columns by name, so no text from a request ever reaches the SQL. */
const ORDER: Record<OrgOrderField, string> = { slug: 'o.slug', name: 'lower(o.name)', created_at: 'o.created_at', member_count: 'member_count' };

type CountedRow = OrganizationRow & { member_count: number | string; admin_count: number | string; role: OrgRole | null };
type MemberRowOut = {
  user_id: number;
  username: string;
  email: string | null;
  is_active: boolean | number;
  role: OrgRole;
  joined_at: string;
  invited_by: number | null;
  invited_by_username: string | null;
};

export function toOrganization(r: CountedRow): Organization {
  return {
    id: Number(r.id),
    slug: r.slug,
    name: r.name,
    join_policy: r.join_policy,
    created_at: r.created_at,
    created_by: r.created_by,
    member_count: Number(r.member_count),
    admin_count: Number(r.admin_count),
    role: r.role ?? null,
  };
}

function toMember(r: MemberRowOut): OrgMember {
  return {
    user_id: Number(r.user_id),
    username: r.username,
    email: r.email,
    is_active: bool(r.is_active),
    role: r.role,
    joined_at: r.joined_at,
    invited_by: r.invited_by === null ? null : Number(r.invited_by),
    invited_by_username: r.invited_by_username,
  };
}

/**
 * Storage for organizations and their members. Lists and counts are fixed
 * SQL texts (`statement`), assembled only from the parts below, with every
 * value a parameter; slugs arrive lower-cased by the caller.
 */
export function createOrgsRepo(db: Pick<Db, 'dialect' | 'statements'>) {
  const { dialect, statements: st } = db;
  const pg = dialect === 'postgres';
  const flag = (v: boolean) => (pg ? v : v ? 1 : 0);
  // A literal substring test (no LIKE, so % and _ are plain characters).
  const contains = (column: string) => (pg ? `strpos(${column}, ?) > 0` : `instr(${column}, ?) > 0`);

  const COUNTED = `select o.*,
      (select count(*) from organization_members c where c.organization_id = o.id) as member_count,
      (select count(*) from organization_members a join users au on au.id = a.user_id
        where a.organization_id = o.id and a.role = 'admin' and au.is_active = ?) as admin_count,
      (select r.role from organization_members r where r.organization_id = o.id and r.user_id = ?) as role
    from organizations o`;
  const MEMBER = `select m.user_id, u.username, u.email, u.is_active, m.role, m.joined_at, m.invited_by, i.username as invited_by_username
    from organization_members m join users u on u.id = m.user_id left join users i on i.id = m.invited_by`;
  const BY_SLUG = statement('select * from organizations where slug = ?');
  const ROLE = statement('select role from organization_members where organization_id = ? and user_id = ?');
  const ONE_COUNTED = statement(`${COUNTED} where o.id = ?`);
  const MINE = statement(`${COUNTED} join organization_members me on me.organization_id = o.id and me.user_id = ? order by o.slug`);
  const ONE_MEMBER = statement(`${MEMBER} where m.organization_id = ? and m.user_id = ?`);
  const MEMBERSHIPS = statement(`select o.id as organization_id, o.slug, o.name, m.role, m.joined_at
    from organization_members m join organizations o on o.id = m.organization_id where m.user_id = ? order by o.slug`);
  const ACTIVE_ADMINS = statement(`select count(*) as n from organization_members m join users u on u.id = m.user_id
    where m.organization_id = ? and m.role = 'admin' and u.is_active = ? and m.user_id <> ?`);
  const SOLE_ADMIN_OF = statement(`select o.slug, o.name from organization_members m join organizations o on o.id = m.organization_id
    where m.user_id = ? and m.role = 'admin' and not exists (
      select 1 from organization_members m2 join users u2 on u2.id = m2.user_id
      where m2.organization_id = m.organization_id and m2.role = 'admin' and m2.user_id <> m.user_id and u2.is_active = ?)
    order by o.slug`);
  const IS_SLUG = statement('select 1 as found from organizations where slug = ?');

  function orgSearch(search: string | undefined): { sql: string; params: unknown[] } {
    const needle = search?.trim().toLowerCase();
    if (!needle) return { sql: '', params: [] };
    return { sql: ` where (${contains('o.slug')} or ${contains('lower(o.name)')})`, params: [needle, needle] };
  }

  function memberWhere(orgId: number, f: Pick<MembersFilter, 'search' | 'role'>): { sql: string; params: unknown[] } {
    const parts = ['m.organization_id = ?'];
    const params: unknown[] = [orgId];
    if (f.role) {
      parts.push('m.role = ?');
      params.push(f.role);
    }
    const needle = f.search?.trim().toLowerCase();
    if (needle) {
      parts.push(`(${contains('u.username_lower')} or ${contains("coalesce(u.email_lower, '')")})`);
      params.push(needle, needle);
    }
    return { sql: ` where ${parts.join(' and ')}`, params };
  }

  return {
    flag,
    async bySlug(q: Q, slug: string): Promise<OrganizationRow | undefined> {
      return st.one<OrganizationRow>(q, BY_SLUG, [slug.toLowerCase()]);
    },
    /** Whether an organization has this (lower-cased) slug: a username may not be one (account-identifiers.ts). */
    async isSlug(q: Q, lowered: string): Promise<boolean> {
      return (await st.one(q, IS_SLUG, [lowered])) !== undefined;
    },
    async roleOf(q: Q, orgId: number, userId: number): Promise<OrgRole | null> {
      return (await st.one<{ role: OrgRole }>(q, ROLE, [orgId, userId]))?.role ?? null;
    },
    /** One organization with its counts and `viewerId`'s role. */
    async view(q: Q, orgId: number, viewerId: number | null): Promise<Organization | undefined> {
      const row = await st.one<CountedRow>(q, ONE_COUNTED, [flag(true), viewerId ?? 0, orgId]);
      return row ? toOrganization(row) : undefined;
    },
    /** The named organizations `userId` is in, by slug. */
    async mine(q: Q, userId: number): Promise<Organization[]> {
      return (await st.all<CountedRow>(q, MINE, [flag(true), userId, userId])).map(toOrganization);
    },
    /** A page of every organization, and how many match. */
    async list(q: Q, f: OrgListFilter): Promise<{ count: number; rows: Organization[] }> {
      const where = orgSearch(f.search);
      const counted = await st.one<{ n: number | string }>(
        q,
        statement(`select count(*) as n from organizations o${where.sql}`, { planEachTime: true }),
        where.params,
      );
      const order = `${ORDER[f.orderBy]} ${f.descending ? 'desc' : 'asc'}, o.id ${f.descending ? 'desc' : 'asc'}`;
      const page = statement(`${COUNTED}${where.sql} order by ${order} limit ? offset ?`, { planEachTime: true });
      const rows = await st.all<CountedRow>(q, page, [flag(true), f.viewerId ?? 0, ...where.params, f.limit, f.offset]);
      return { count: Number(counted?.n ?? 0), rows: rows.map(toOrganization) };
    },
    /** Insert; a slug already taken (a racing create included) is SLUG_TAKEN. */
    async create(q: Q, row: { slug: string; name: string; join_policy: OrganizationRow['join_policy']; created_at: string; created_by: string | null }) {
      try {
        return await q.insertInto('organizations').values(row).returningAll().executeTakeFirstOrThrow();
      } catch (e) {
        const code = String((e as { code?: string }).code ?? '');
        if (code === '23505' || String((e as Error).message).includes('UNIQUE constraint failed')) throw slugTaken(row.slug);
        throw e;
      }
    },
    async update(q: Q, orgId: number, set: { name?: string; join_policy?: OrganizationRow['join_policy'] }): Promise<void> {
      if (Object.keys(set).length) await q.updateTable('organizations').set(set).where('id', '=', orgId).execute();
    },
    async remove(q: Q, orgId: number): Promise<void> {
      await q.deleteFrom('organizations').where('id', '=', orgId).execute();
    },
    async member(q: Q, orgId: number, userId: number): Promise<OrgMember | undefined> {
      const row = await st.one<MemberRowOut>(q, ONE_MEMBER, [orgId, userId]);
      return row ? toMember(row) : undefined;
    },
    /** A page of an organization's members, by username. */
    async membersPage(q: Q, orgId: number, f: MembersFilter): Promise<{ count: number; rows: OrgMember[] }> {
      const where = memberWhere(orgId, f);
      const from = 'from organization_members m join users u on u.id = m.user_id';
      const counted = await st.one<{ n: number | string }>(q, statement(`select count(*) as n ${from}${where.sql}`, { planEachTime: true }), where.params);
      const page = statement(`${MEMBER}${where.sql} order by u.username_lower, m.user_id limit ? offset ?`, { planEachTime: true });
      const rows = await st.all<MemberRowOut>(q, page, [...where.params, f.limit, f.offset]);
      return { count: Number(counted?.n ?? 0), rows: rows.map(toMember) };
    },
    async addMember(q: Q, row: OrgMemberRow): Promise<void> {
      await q.insertInto('organization_members').values(row).execute();
    },
    async setRole(q: Q, orgId: number, userId: number, role: OrgRole): Promise<void> {
      await q.updateTable('organization_members').set({ role }).where('organization_id', '=', orgId).where('user_id', '=', userId).execute();
    },
    async removeMember(q: Q, orgId: number, userId: number): Promise<boolean> {
      const r = await q.deleteFrom('organization_members').where('organization_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** The organizations `userId` is in, by slug (the user editor's list). */
    async membershipsOf(q: Q, userId: number): Promise<Membership[]> {
      const rows = await st.all<Membership>(q, MEMBERSHIPS, [userId]);
      return rows.map((r) => ({ ...r, organization_id: Number(r.organization_id) }));
    },
    /** Active admins of `orgId` other than `exceptUserId`. */
    async countActiveAdmins(q: Q, orgId: number, exceptUserId: number): Promise<number> {
      return Number((await st.one<{ n: number | string }>(q, ACTIVE_ADMINS, [orgId, flag(true), exceptUserId]))?.n ?? 0);
    },
    /** The organizations whose only active admin (other than nobody) `userId` would be, if `userId` is active. */
    async soleAdminOrgs(q: Q, userId: number): Promise<Array<{ slug: string; name: string }>> {
      return st.all<{ slug: string; name: string }>(q, SOLE_ADMIN_OF, [userId, flag(true)]);
    },
    async memberCount(q: Q, orgId: number): Promise<number> {
      const r = await q
        .selectFrom('organization_members')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('organization_id', '=', orgId)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
export type OrgsRepo = ReturnType<typeof createOrgsRepo>;
