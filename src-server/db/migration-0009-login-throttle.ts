import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * Failed-credential counters shared by every process on the database
 * (auth/throttle.ts), so N server instances allow the same number of guesses
 * as one. Keys are short (`u:<id>`, `n:<digest>`, `p:`/`k:` plus an address
 * group); `reset_at` is an ISO time like every other, and its index lets the
 * sweep of ended windows delete without a scan.
 *
 * UNLOGGED on PostgreSQL: its writes skip the WAL, so a failed sign-in's two
 * counter writes commit without waiting for a WAL flush (an fsync each, the
 * bulk of their cost on a busy disk: see `npm run bench -- --only throttle`).
 * What that gives up: after a PostgreSQL crash, or on a promoted replica, the
 * table starts empty, which is what every restart of the per-process
 * counters it replaces did anyway. SQLite commits in WAL mode with
 * synchronous=NORMAL, without an fsync per commit, already.
 */
export function loginThrottle(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      let table = db.schema.createTable('login_throttle');
      if (dialect === 'postgres') table = table.modifyFront(sql`unlogged`);
      await table
        .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('reset_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_throttle_reset_idx').on('login_throttle').column('reset_at').execute();
    },
  };
}
