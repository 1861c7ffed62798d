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

  async function* users(query: UserIdsQuery): AsyncGenerator<ListedUser[]> {
    const { ids } = await repo.ids(db.read, { ...filterOf(query, clock.now()), limit: ALL });
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await repo.byIds(db.read, ids.slice(i, i + BATCH));
      if (rows.length) yield await repo.listed(db.read, rows);
    }
  }

  return {
    /** The matching ids are read before the first chunk, so a bad query fails before anything is sent. */
    async open(query: UserIdsQuery, format: UserExportFormat): Promise<AsyncGenerator<string>> {
      const batches = users(query);
      const first = await batches.next();
      return (async function* () {
        let n = 0;
        yield format === 'csv' ? csvRow(USER_EXPORT_COLUMNS) : '[';
        for (let b = first; !b.done; b = await batches.next()) {
          if (format === 'csv') yield b.value.map((u) => csvRow(userExportCells(u))).join('');
          else yield b.value.map((u) => `${n++ ? ',' : ''}\n${JSON.stringify(userExportRecord(u))}`).join('');
        }
        if (format === 'json') yield '\n]\n';
      })();
    },
  };
}
export type UsersExport = ReturnType<typeof createUsersExport>;
