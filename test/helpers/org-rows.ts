import type { Db } from '../../src-server/db/database.ts';

/**
 * An organization and its members written straight into the database, for
 * suites about what clients do with organizations (the token API,
 * pygraphistry) rather than how organizations are managed.
 */
export async function makeOrg(db: Pick<Db, 'write'>, slug: string, members: Array<[userId: number, role: 'admin' | 'member']> = []): Promise<number> {
  const at = new Date().toISOString();
  const row = await db.write
    .insertInto('organizations')
    .values({ slug, name: `The ${slug} team`, join_policy: 'invite_only', created_at: at, created_by: 'test' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  for (const [userId, role] of members) {
    await db.write.insertInto('organization_members').values({ organization_id: id, user_id: userId, role, joined_at: at, invited_by: null }).execute();
  }
  return id;
}

export async function removeMember(db: Pick<Db, 'write'>, orgId: number, userId: number): Promise<void> {
  await db.write.deleteFrom('organization_members').where('organization_id', '=', orgId).where('user_id', '=', userId).execute();
}
