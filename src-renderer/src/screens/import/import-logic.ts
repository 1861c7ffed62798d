import { csvText } from '../../../../src-shared/csv-write.ts';
import type { ImportReport, ImportReportRow } from '../../../../src-shared/user-import-schemas.ts';

/** A file's bytes in base64, a slice at a time (String.fromCharCode takes at most some 64 K arguments). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const OUTCOME_LABEL: Readonly<Record<ImportReportRow['outcome'], string>> = {
  create: 'Create',
  invite: 'Invite',
  update: 'Update',
  skip: 'Skip',
  error: 'Refused',
};

/** The rows a report's table shows: all, or only those refused; at most `limit` of them. */
export function shownRows(report: ImportReport, onlyRefused: boolean, limit: number): { rows: ImportReportRow[]; hidden: number } {
  const all = onlyRefused ? report.rows.filter((r) => r.outcome === 'error') : report.rows;
  return { rows: all.slice(0, limit), hidden: Math.max(0, all.length - limit) };
}

/** Whether the rows a check found may be imported as the options stand: nothing refused, or told to go on past refused rows. */
export function importable(report: ImportReport, continueOnError: boolean): boolean {
  const writable = report.counts.create + report.counts.invite + report.counts.update;
  return writable > 0 && (report.counts.error === 0 || continueOnError);
}

/** The report's one-time parts (set-password or invitation links, key secrets) as CSV, for saving to a file. */
export function secretsCsv(report: ImportReport): string | null {
  const rows = report.rows.filter((r) => r.link || r.key);
  if (!rows.length) return null;
  return csvText(
    ['line', 'username', 'link', 'link_expires_at', 'key_id', 'key_secret'],
    rows.map((r) => [r.line, r.username, r.link ? (r.link.url ?? r.link.path) : '', r.link?.expires_at, r.key?.id, r.key?.secret]),
  );
}

/** One sentence of what a check found. */
export function checkSummary(report: ImportReport): string {
  const c = report.counts;
  const parts = [
    c.create ? `${c.create} to create` : '',
    c.invite ? `${c.invite} to invite` : '',
    c.update ? `${c.update} to update` : '',
    c.skip ? `${c.skip} to skip` : '',
    c.error ? `${c.error} refused` : '',
  ].filter(Boolean);
  return `${report.rows.length} row${report.rows.length === 1 ? '' : 's'}: ${parts.join(', ') || 'nothing to do'}.`;
}
