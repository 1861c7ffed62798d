import type { Kysely, Transaction } from 'kysely';
import type { Database, SessionRow } from '../db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export function createSessionsRepo() {
  return {
    async insert(q: Q, row: SessionRow): Promise<void> {
      await q.insertInto('sessions').values(row).execute();
    },
    async byHash(q: Q, idHash: string): Promise<SessionRow | undefined> {
      return q.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    },
    async touch(q: Q, idHash: string, at: string): Promise<void> {
      await q.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
    },
    async setEpoch(q: Q, idHash: string, epoch: number): Promise<void> {
      await q.updateTable('sessions').set({ auth_epoch: epoch }).where('id_hash', '=', idHash).execute();
    },
    async remove(q: Q, idHash: string): Promise<void> {
      await q.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    async removeForUser(q: Q, userId: number, exceptHash: string | null): Promise<void> {
      let d = q.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptHash) d = d.where('id_hash', '!=', exceptHash);
      await d.execute();
    },
    async removeExpired(q: Q, now: string): Promise<void> {
      await q.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    },
  };
}
export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
