import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

/** A counter as it stands after a write: failures in the window ending at `resetAt` (ISO). */
export interface ThrottleCount {
  failures: number;
  resetAt: string;
}

/** Counters never pass this, so a key hammered for a whole window cannot overflow a 32-bit integer. */
const CEILING = 1_000_000_000;

// One statement per step, each atomic on its own (an upsert is one row lock on
// PostgreSQL, one write transaction on SQLite), so processes sharing the
// database never lose or double a count. A window that has ended starts over
// in the same statement, so correctness never waits for the sweep.
const startsOver = 'login_throttle.reset_at <= ?';
const upsert = (whenCounted: string) =>
  `insert into login_throttle (key, failures, reset_at) values (?, 1, ?) on conflict (key) do update set ` +
  `failures = case when ${startsOver} then 1 when login_throttle.failures < ${CEILING} then login_throttle.failures + 1 else login_throttle.failures end, ` +
  `reset_at = case when ${startsOver} then excluded.reset_at else login_throttle.reset_at end${whenCounted} returning failures, reset_at`;

/** Count one failure, whatever the count. */
const COUNT = statement(upsert(''));
/** Count one failure only while under `limit` (or in a new window); no row back means the key is at its limit. */
const COUNT_UNDER = statement(upsert(` where ${startsOver} or login_throttle.failures < ?`));
const READ = statement('select failures, reset_at from login_throttle where key = ?');
const GIVE_BACK = statement('update login_throttle set failures = failures - 1 where key = ? and failures > 0 and reset_at > ?');
const CLEAR = statement('delete from login_throttle where key = ?');
const SWEEP = statement('delete from login_throttle where reset_at <= ?');

type Row = { failures: number | string; reset_at: string };
const count = (r: Row | undefined): ThrottleCount | undefined => (r ? { failures: Number(r.failures), resetAt: r.reset_at } : undefined);

/**
 * The `login_throttle` table through the hot-path statements (db/statements.ts):
 * on SQLite its writes go to the writer (the serving process's database
 * thread) with the sign-in's other writes; on PostgreSQL each is one prepared
 * round trip.
 */
export function createThrottleRepo(db: Pick<Db, 'read' | 'write' | 'statements'>) {
  const { read, write, statements: st } = db;
  return {
    async count(key: string, now: string, resetAt: string): Promise<ThrottleCount> {
      return count(await st.one<Row>(write, COUNT, [key, resetAt, now, now]))!;
    },
    /** Counted (the count after it), or undefined when the key was already at `limit` in its window. */
    async countUnder(key: string, limit: number, now: string, resetAt: string): Promise<ThrottleCount | undefined> {
      return count(await st.one<Row>(write, COUNT_UNDER, [key, resetAt, now, now, now, limit]));
    },
    async read(key: string): Promise<ThrottleCount | undefined> {
      return count(await st.one<Row>(read, READ, [key]));
    },
    async giveBack(key: string, now: string): Promise<void> {
      await st.run(write, GIVE_BACK, [key, now]);
    },
    async clear(key: string): Promise<void> {
      await st.run(write, CLEAR, [key]);
    },
    /** Delete every counter whose window has ended; how many went. */
    async sweep(now: string): Promise<number> {
      return st.run(write, SWEEP, [now]);
    },
  };
}
export type ThrottleRepo = ReturnType<typeof createThrottleRepo>;
