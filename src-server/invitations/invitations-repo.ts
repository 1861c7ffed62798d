import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, InvitationRow, InvitationsTable } from '../db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * Storage for invitations. Timestamps are fixed-width ISO-8601 UTC strings
 * (`toISOString()`), so comparing them as text orders them as instants on
 * both dialects.
 */
export function createInvitationsRepo(dialect: 'sqlite' | 'postgres') {
  const flag = (v: boolean) => (dialect === 'postgres' ? v : v ? 1 : 0);
  return {
    flag,
    async insert(q: Q, row: Insertable<InvitationsTable>): Promise<InvitationRow> {
      return q.insertInto('invitations').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async byId(q: Q, id: string): Promise<InvitationRow | undefined> {
      return q.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async byTokenHash(q: Q, tokenHash: string): Promise<InvitationRow | undefined> {
      return q.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /**
     * Newest first, with the username of whoever used each (null: unused, or that account was deleted);
     * with `pendingAt`, only those still usable then. `organizationId` null lists site invitations only,
     * a number only that organization's.
     */
    async list(
      q: Q,
      f: { organizationId: number | null; pendingAt?: string | undefined },
    ): Promise<Array<InvitationRow & { used_by_username: string | null }>> {
      let query = q
        .selectFrom('invitations')
        .leftJoin('users', 'users.id', 'invitations.used_by')
        .selectAll('invitations')
        .select('users.username as used_by_username');
      query =
        f.organizationId === null ? query.where('invitations.organization_id', 'is', null) : query.where('invitations.organization_id', '=', f.organizationId);
      if (f.pendingAt) {
        query = query.where('invitations.used_at', 'is', null).where('invitations.revoked_at', 'is', null).where('invitations.expires_at', '>', f.pendingAt);
      }
      return query.orderBy('invitations.created_at', 'desc').orderBy('invitations.id').execute();
    },
    /** The organization an invitation joins, as the link's holder may see it. */
    async organizationOf(q: Q, orgId: number): Promise<{ id: number; slug: string; name: string } | undefined> {
      const row = await q.selectFrom('organizations').select(['id', 'slug', 'name']).where('id', '=', orgId).executeTakeFirst();
      return row && { id: Number(row.id), slug: row.slug, name: row.name };
    },
    /**
     * Mark an invitation used if, and only if, it is still usable at `now`;
     * returns the claimed row, or undefined when it was not usable.
     * The condition lives in the UPDATE itself, so of two acceptances racing
     * on one link exactly one sees a changed row, lock or no lock.
     */
    async claim(q: Q, id: string, now: string): Promise<InvitationRow | undefined> {
      return q
        .updateTable('invitations')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
    },
    async setUsedBy(q: Q, id: string, userId: number): Promise<void> {
      await q.updateTable('invitations').set({ used_by: userId }).where('id', '=', id).execute();
    },
    /** Revoke unless already used or revoked; returns the updated row, or undefined when nothing changed. */
    async revoke(q: Q, id: string, now: string): Promise<InvitationRow | undefined> {
      return q
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },
  };
}
export type InvitationsRepo = ReturnType<typeof createInvitationsRepo>;
