/**
 * What an import journal says once read back (src-main/bulk/import-journal.ts):
 * the rows written, refused and skipped, and the row left in doubt when a run
 * that went one row at a time was cut off.
 */
export interface JournalReportView {
  server: string | null;
  rows: number;
  /** False: the run never recorded its end (the console was closed or stopped mid-run). */
  finished: boolean;
  stopped: boolean;
  written: { line: number; username: string; action: 'create' | 'update'; id: number }[];
  /** Refused by the server; `id` when it made the account but not all of it (USER_INCOMPLETE). */
  refused: { line: number; username: string; code: string; message: string; id?: number }[];
  skipped: { line: number; username: string; reason: string }[];
  /** Sent with no answer recorded: written or not, only the server can say. At most one (rows go one at a time). */
  unknown: { line: number; username: string; action: 'create' | 'update' }[];
}
