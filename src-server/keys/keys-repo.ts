import type { Kysely, Transaction } from 'kysely';
import type { Database, KeyRow } from '../db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export function createKeysRepo() {
  return {
    async insert(q: Q, row: KeyRow): Promise<void> {
      await q.insertInto('personal_keys').values(row).execute();
    },
    async byId(q: Q, id: string): Promise<KeyRow | undefined> {
      return q.selectFrom('personal_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async forUser(q: Q, userId: number): Promise<KeyRow[]> {
      return q.selectFrom('personal_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
    },
    async revoke(q: Q, userId: number, id: string, at: string): Promise<KeyRow | undefined> {
      return q
        .updateTable('personal_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },
    async touch(q: Q, id: string, at: string): Promise<void> {
      await q.updateTable('personal_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}
export type KeysRepo = ReturnType<typeof createKeysRepo>;
