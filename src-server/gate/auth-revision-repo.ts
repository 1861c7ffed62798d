import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

const REVISION = statement('select revision from auth_revision where id = ?');

/**
 * Reads the access revision (migration 0005): a counter triggers move
 * whenever access can have been taken away, in whichever process. One
 * prepared statement: on SQLite run synchronously (a few µs), on PostgreSQL a
 * primary-key lookup.
 */
export function createAuthRevisionRepo(db: Db) {
  const read = async (): Promise<number> => Number((await db.statements.one<{ revision: number }>(db.kysely, REVISION, [1]))?.revision);

  // Checks handled in one event-loop turn share one read. Every request of a
  // turn had arrived before the turn began, so the shared read still falls
  // between its arrival and its answer; a request sent after a change
  // committed elsewhere arrives in a later turn and gets a fresh read. A
  // change made by this process in the same turn is caught too: on SQLite
  // any statement run since the read discards it; on PostgreSQL a commit
  // completes only in a later turn. Under load this takes the read off most
  // checks (and, on PostgreSQL, a round trip).
  let shared: Promise<number> | null = null;
  let value: number | null = null; // the shared read, once it has resolved
  let sharedAt = 0;
  let resetting = false;
  const forget = () => {
    shared = null;
    value = null;
    resetting = false;
  };

  return {
    /** A fresh read, for callers outside the request path (the WebSocket sweeper). */
    read,
    /** The revision for a check (see above): a number once this turn's read is in, so a cached check needs no await. */
    current(): number | Promise<number> {
      const stamp = db.localStatements?.() ?? 0;
      if (shared !== null && sharedAt === stamp) return value ?? shared;
      const p = read();
      shared = p;
      value = null;
      sharedAt = db.localStatements?.() ?? 0;
      void p.then((v) => {
        if (shared === p) value = v;
      }, () => undefined);
      if (!resetting) {
        resetting = true;
        setImmediate(forget);
      }
      return p;
    },
  };
}
export type AuthRevisionRepo = ReturnType<typeof createAuthRevisionRepo>;
