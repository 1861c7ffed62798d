import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { statement } from '../db/statements.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** A named organization as the token API sees it, with the caller's role in it (null: not a member). */
export interface OrgForUser {
  id: number;
  slug: string;
  name: string;
  role: 'admin' | 'member' | null;
}

/** A token session's switch: `org` null when it switched back to the personal organization (or its organization is gone). */
export interface SessionSwitch {
  org: OrgForUser | null;
}

// Hot statements (db/statements.ts): the first runs on every sign-in and key exchange that sends
// `org_name`, the second on every refresh and switch; building them through Kysely would cost more
// than SQLite's own work next to a key exchange.
const ORG_FOR_USER = statement(
  'select o.id, o.slug, o.name, m.role from organizations o ' +
    'left join organization_members m on m.organization_id = o.id and m.user_id = ? where o.slug = ?',
);
const SESSION_SWITCH = statement(
  'select s.organization_id, o.slug, o.name, m.role from org_sessions s ' +
    'left join organizations o on o.id = s.organization_id ' +
    'left join organization_members m on m.organization_id = s.organization_id and m.user_id = s.user_id ' +
    'where s.sid = ? and s.user_id = ? and s.expires_at > ?',
);
// A session belongs to one user: a row is only ever taken over by the same user's session key.
const ON_CONFLICT =
  ' on conflict (sid) do update set organization_id = excluded.organization_id, switched_at = excluded.switched_at, expires_at = excluded.expires_at' +
  ' where org_sessions.user_id = excluded.user_id';
const SWITCH_TO_PERSONAL = statement(
  'insert into org_sessions (sid, user_id, organization_id, switched_at, expires_at) values (?, ?, null, ?, ?)' + ON_CONFLICT,
);
// Through the organization's row, so an organization deleted meanwhile writes nothing (0 rows) instead of failing on its key.
// The WHERE also keeps SQLite from reading ON CONFLICT as a join's ON.
const SWITCH_TO_ORG = statement(
  'insert into org_sessions (sid, user_id, organization_id, switched_at, expires_at) ' +
    'select ?, cast(? as integer), o.id, ?, ? from organizations o where o.id = ?' +
    ON_CONFLICT,
);
const SWEEP = statement('delete from org_sessions where expires_at <= ?');

/** What the token API reads and writes of organizations: the org a sign-in names, and each token session's switch. */
export function createOrgSessionsRepo(db: Pick<Db, 'statements'>) {
  const st = db.statements;
  return {
    /** The organization whose slug is `slug` (lower-case), with `userId`'s role in it. */
    async orgForUser(q: Q, userId: number, slug: string): Promise<OrgForUser | undefined> {
      const row = await st.one<OrgForUser>(q, ORG_FOR_USER, [userId, slug]);
      return row && { id: Number(row.id), slug: row.slug, name: row.name, role: row.role ?? null };
    },

    /** The live switch of session `sid`, if it made one; `now` is ISO text. */
    async sessionSwitch(q: Q, sid: string, userId: number, now: string): Promise<SessionSwitch | undefined> {
      const row = await st.one<{ organization_id: number | null; slug: string | null; name: string | null; role: 'admin' | 'member' | null }>(
        q,
        SESSION_SWITCH,
        [sid, userId, now],
      );
      if (!row) return undefined;
      if (row.organization_id === null || row.slug === null || row.name === null) return { org: null };
      return { org: { id: Number(row.organization_id), slug: row.slug, name: row.name, role: row.role ?? null } };
    },

    /** Store the switch of session `sid`; false when the organization no longer exists (nothing written). */
    async store(q: Q, row: { sid: string; userId: number; organizationId: number | null; at: string; expiresAt: string }): Promise<boolean> {
      if (row.organizationId === null) {
        await st.run(q, SWITCH_TO_PERSONAL, [row.sid, row.userId, row.at, row.expiresAt]);
        return true;
      }
      return (await st.run(q, SWITCH_TO_ORG, [row.sid, row.userId, row.at, row.expiresAt, row.organizationId])) > 0;
    },

    async sweep(q: Q, now: string): Promise<void> {
      await st.run(q, SWEEP, [now]);
    },
  };
}
export type OrgSessionsRepo = ReturnType<typeof createOrgSessionsRepo>;
