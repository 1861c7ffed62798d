import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { csvRow } from '../../src-shared/csv-write.ts';
import { USER_EXPORT_COLUMNS, userExportCells, userExportRecord, type UserExportFormat } from '../../src-shared/user-export.ts';
import type { ListedUser } from '../../src-shared/user-schemas.ts';
import type { UsersRepo } from './users-repo.ts';
import { filterOf } from './users-service.ts';
import type { UserIdsQuery } from './users-schemas.ts';

/** Users read per batch: one statement for the rows, one for their sign-in methods. */
const BATCH = 500;
/** No export stops short: the ids of every match are read (4 bytes of database each; 100,000 users are 0.8 MB of numbers in memory). */
const ALL = 2_147_483_647;

/**
 * Every user a list query matches, in its order, as CSV or JSON text in
 * chunks (a batch of users each), so a 100,000-user export never holds more
 * than a batch of rows. The ids of every match are read first, in one
 * statement: the export is the list as it stood then (a user deleted
 * meanwhile is left out; no one is listed twice, as paging by offset could).
 */
export function createUsersExport(deps: { db: Pick<Db, 'read'>; repo: UsersRepo; clock: Clock }) {
  const { db, repo, clock } = deps;

  async function* batches(ids: number[]): AsyncGenerator<ListedUser[]> {
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await repo.byIds(db.read, ids.slice(i, i + BATCH));
      if (rows.length) yield await repo.listed(db.read, rows);
    }
  }

  return {
    /**
     * How many users match, and their export as text chunks. The matching ids
     * are read here, before the first chunk, so a bad query fails before
     * anything is sent.
     */
    async open(query: UserIdsQuery, format: UserExportFormat): Promise<{ count: number; chunks: AsyncGenerator<string> }> {
      const { ids } = await repo.ids(db.read, { ...filterOf(query, clock.now()), limit: ALL });
      async function* chunks(): AsyncGenerator<string> {
        let n = 0;
        yield format === 'csv' ? csvRow(USER_EXPORT_COLUMNS) : '[';
        for await (const users of batches(ids)) {
          if (format === 'csv') yield users.map((u) => csvRow(userExportCells(u))).join('');
          else yield users.map((u) => `${n++ ? ',' : ''}\n${JSON.stringify(userExportRecord(u))}`).join('');
        }
        yield format === 'csv' ? '' : '\n]\n';
      }
      return { count: ids.length, chunks: chunks() };
    },
  };
}
export type UsersExport = ReturnType<typeof createUsersExport>;
