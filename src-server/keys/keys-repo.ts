import { sql, type Kysely, type Transaction } from 'kysely';
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
    /**
     * One page of a user's keys: usable ones first (not revoked, not expired
     * at `now`), each group newest first, so the first page shows every key
     * that still works before any history.
     */
    async pageForUser(q: Q, userId: number, p: { now: string; limit: number; offset: number }): Promise<KeyRow[]> {
      return q
        .selectFrom('personal_keys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy(sql`case when revoked_at is null and (expires_at is null or expires_at > ${p.now}) then 0 else 1 end`)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(p.limit)
        .offset(p.offset)
        .execute();
    },
    async countForUser(q: Q, userId: number): Promise<number> {
      const r = await q
        .selectFrom('personal_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    /** Keys of a user that still work at `now` (the per-user limit counts these). */
    async countUsable(q: Q, userId: number, now: string): Promise<number> {
      const r = await q
        .selectFrom('personal_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
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
