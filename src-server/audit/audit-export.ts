import type { Db } from '../db/database.ts';
import { csvRow } from '../../src-shared/csv-write.ts';
import type { AuditFilter, AuditRepo } from './audit-repo.ts';

export const AUDIT_EXPORT_COLUMNS = ['id', 'at', 'actor', 'action', 'outcome', 'target_type', 'target_id', 'target', 'client_ip', 'detail'] as const;
const BATCH = 1000;

/**
 * The audit log (filtered as its list is) as CSV, newest first, read 1,000
 * entries at a time by id, so a log of millions is never held whole. The
 * entries were already cleared of secrets when written (audit-service.ts);
 * the detail column is their JSON. Entries written while the export runs
 * are not in it (it starts below the newest id at its start).
 */
export function createAuditExport(deps: { db: Pick<Db, 'read'>; repo: AuditRepo }) {
  const { db, repo } = deps;
  return {
    async *csv(filter: AuditFilter): AsyncGenerator<string> {
      yield csvRow(AUDIT_EXPORT_COLUMNS);
      let before: number | null = null;
      for (;;) {
        const rows = await repo.olderThan(db.read, filter, before, BATCH);
        if (rows.length === 0) return;
        yield rows.map((r) => csvRow([Number(r.id), r.at, r.actor, r.action, r.outcome, r.target_type, r.target_id, r.target, r.client_ip, r.detail])).join('');
        if (rows.length < BATCH) return;
        before = Number(rows[rows.length - 1]!.id);
      }
    },
  };
}
export type AuditExport = ReturnType<typeof createAuditExport>;
