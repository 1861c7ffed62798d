import type { Kysely, Transaction } from 'kysely';
import type { Database, KeyRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

type Q = Kysely<Database> | Transaction<Database>;

const BY_ID = statement('select * from personal_keys where id = ?');
const TOUCH = statement('update personal_keys set last_used_at = ? where id = ?');

export function createKeysRepo(db: Pick<Db, 'statements'>) {
  const st = db.statements;
  return {
    async insert(q: Q, row: KeyRow): Promise<void> {
      await q.insertInto('personal_keys').values(row).execute();
    },
    async byId(q: Q, id: string): Promise<KeyRow | undefined> {
      return st.one<KeyRow>(q, BY_ID, [id]);
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
      await st.run(q, TOUCH, [at, id]);
    },
  };
}
export type KeysRepo = ReturnType<typeof createKeysRepo>;
