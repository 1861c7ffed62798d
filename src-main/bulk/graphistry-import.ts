import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { parseUserImport, type ImportRowError } from '../../src-shared/user-import.ts';
import type { ImportReport, ImportReportRow, UserImportBody } from '../../src-shared/user-import-schemas.ts';
import { GRAPHISTRY_IMPORT_PASSWORDS, GRAPHISTRY_UNSUPPORTED } from '../backend/capabilities.ts';
import type { Backend, ImportRunHooks } from '../contracts.ts';
import { importOneByOne, type RowOutcome } from './one-by-one-import.ts';

/**
 * The import on a Graphistry, from the file's bytes to the same report the
 * bundled server gives. Django's admin has no transactions, so "all or
 * nothing" means: the whole file is checked first (every row read against
 * the admin), and nothing is written if any row is refused; a row refused
 * while writing cannot undo the rows before it, and the report names every
 * row written.
 */
export async function importIntoGraphistry(backend: Backend, input: UserImportBody, run: ImportRunHooks = {}): Promise<ImportReport> {
  const mode = input.mode ?? 'create';
  if (mode === 'invite') throw new ConsoleFailure({ code: 'UNSUPPORTED', message: GRAPHISTRY_UNSUPPORTED.invitations });
  if (input.with_keys) throw new ConsoleFailure({ code: 'UNSUPPORTED', message: GRAPHISTRY_UNSUPPORTED.user_keys });
  const parsed = parseUserImport(Buffer.from(input.content, 'base64'), input.format ? { format: input.format } : {});
  if (!parsed.ok) throw new ConsoleFailure({ code: 'VALIDATION', message: parsed.error.message });
  const onExisting = input.on_existing ?? 'error';
  const allOrNothing = !input.continue_on_error;
  const rows = parsed.rows.map((r) => ({ ...r, organization: r.organization ?? undefined }));

  // All or nothing: every row is checked against the admin first, and a file with a refused row writes nothing.
  const check = input.dry_run || allOrNothing;
  let outcomes: RowOutcome[] = [];
  let stopped = false;
  if (check) {
    const dry = await importOneByOne(backend, rows, { onExisting, dryRun: true, ...hooks(run, 'checking') });
    outcomes = dry.rows;
    stopped = dry.stopped;
  }
  const refused = parsed.errors.length + outcomes.filter((o) => o.outcome === 'error').length;
  const write = !input.dry_run && !stopped && (refused === 0 || !allOrNothing);
  if (write) {
    const wet = await importOneByOne(backend, rows, { onExisting, dryRun: false, ...hooks(run, 'writing') });
    outcomes = wet.rows;
    stopped = wet.stopped;
  }
  return report(input.dry_run, outcomes, parsed.errors, stopped, write);
}

/** Progress and stop for each pass; the journal only for the pass that writes. */
function hooks(run: ImportRunHooks, phase: 'checking' | 'writing') {
  const { onProgress } = run;
  return {
    ...(run.signal ? { signal: run.signal } : {}),
    ...(onProgress ? { onProgress: (p: { done: number; total: number; written: number }) => onProgress({ ...p, phase }) } : {}),
    ...(phase === 'writing' && run.journal ? { journal: run.journal } : {}),
  };
}

function fromParse(e: ImportRowError): ImportReportRow {
  return { line: e.line, username: e.username, outcome: 'error', code: e.code, column: e.column, message: e.message, written: false };
}

function fromOutcome(o: RowOutcome): ImportReportRow {
  return {
    line: o.line,
    username: o.username,
    outcome: o.outcome,
    written: o.written,
    ...(o.code ? { code: o.code } : {}),
    ...(o.message ? { message: o.message } : {}),
  };
}

function report(dryRun: boolean, outcomes: RowOutcome[], errors: ImportRowError[], stopped: boolean, wrote: boolean): ImportReport {
  const rows = [...errors.map(fromParse), ...outcomes.map(fromOutcome)].sort((a, b) => a.line - b.line);
  const count = (o: ImportReportRow['outcome']) => rows.filter((r) => r.outcome === o).length;
  const written = rows.filter((r) => r.written).length;
  const counts = { create: count('create'), invite: count('invite'), update: count('update'), skip: count('skip'), error: count('error'), written };
  const message = dryRun
    ? `Checked ${rows.length} rows: ${counts.create} to create, ${counts.update} to update, ${counts.skip} to skip, ${counts.error} refused.${stopped ? ' Stopped before the end.' : ''}`
    : !wrote
      ? `Nothing was written: ${counts.error} row${counts.error === 1 ? ' is' : 's are'} refused, and a Graphistry cannot import part of a file unless asked to go on past refused rows.`
      : `${written} row${written === 1 ? '' : 's'} written, one at a time${stopped ? '; stopped before the end: the rows after the last one reported were not sent' : ''}. ${GRAPHISTRY_IMPORT_PASSWORDS}`;
  return { dry_run: dryRun, committed: written > 0, counts, rows, message };
}
