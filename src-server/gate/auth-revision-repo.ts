import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

const REVISION = statement('select revision from auth_revision where id = ?');

/**
 * The access revision (migration 0005): a counter that triggers move whenever
 * access can have been taken away, in whichever process. Read once per
 * check, so a change committed before a request arrives is seen by it: one
 * prepared statement, on SQLite a few µs on the main thread's read
 * connection, on PostgreSQL a primary-key lookup.
 */
export function createAuthRevisionRepo(db: Pick<Db, 'read' | 'statements'>) {
  return {
    async read(): Promise<number> {
      return Number((await db.statements.one<{ revision: number }>(db.read, REVISION, [1]))?.revision);
    },
  };
}
export type AuthRevisionRepo = ReturnType<typeof createAuthRevisionRepo>;
