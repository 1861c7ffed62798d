import type { Kysely, Transaction } from 'kysely';
import type { Database, Dialect, SsoProviderRow } from '../db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** IdP rows and identity links; a scope is the site (organizationId null) or one organization. */
export function createSsoRepo(dialect: Dialect) {
  return {
    /** A boolean as the dialect stores it (SQLite binds no booleans). */
    flag: (v: boolean) => (dialect === 'postgres' ? v : v ? 1 : 0),
    async list(q: Q, organizationId: number | null): Promise<SsoProviderRow[]> {
      let query = q.selectFrom('sso_providers').selectAll();
      query = organizationId === null ? query.where('organization_id', 'is', null) : query.where('organization_id', '=', organizationId);
      return query.orderBy('name').execute();
    },
    async byName(q: Q, organizationId: number | null, name: string): Promise<SsoProviderRow | undefined> {
      let query = q.selectFrom('sso_providers').selectAll().where('name', '=', name);
      query = organizationId === null ? query.where('organization_id', 'is', null) : query.where('organization_id', '=', organizationId);
      return query.executeTakeFirst();
    },
    async byId(q: Q, id: number): Promise<SsoProviderRow | undefined> {
      return q.selectFrom('sso_providers').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async identity(q: Q, issuer: string, sub: string) {
      return q.selectFrom('sso_identities').selectAll().where('issuer', '=', issuer).where('sub', '=', sub).executeTakeFirst();
    },
    async link(q: Q, row: { issuer: string; sub: string; userId: number; providerId: number; at: string }): Promise<void> {
      await q
        .insertInto('sso_identities')
        .values({ issuer: row.issuer, sub: row.sub, user_id: row.userId, provider_id: row.providerId, created_at: row.at, last_login_at: row.at })
        .execute();
    },
    async touchIdentity(q: Q, id: number, at: string): Promise<void> {
      await q.updateTable('sso_identities').set({ last_login_at: at }).where('id', '=', id).execute();
    },
  };
}
export type SsoRepo = ReturnType<typeof createSsoRepo>;
