import { AppError, isAppError, type ErrorCode } from '../errors.ts';
import { casedUsernameSkeleton, foldUsername, usernameSkeleton } from '../lib/username-identity.ts';
import type { Actor } from '../audit/audit-service.ts';
import { parseUserImport, type ImportFormat, type ImportRow } from '../../src-shared/user-import.ts';
import type { ImportMode, ImportReport, ImportReportRow, OnExisting } from '../../src-shared/user-import-schemas.ts';
import { usernameClash } from './account-identifiers.ts';
import { createImportRows, refusal, type RowResult, type UserImportDeps } from './user-import-rows.ts';

export type { UserImportDeps };
import { prefetchForImport, type ImportPrefetch } from './user-import-prefetch.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface ImportOptions {
  format?: ImportFormat | undefined;
  dryRun: boolean;
  mode: ImportMode;
  onExisting: OnExisting;
  continueOnError: boolean;
  withKeys: boolean;
  /** PUBLIC_URL, when set: links come back whole as well as by path. */
  publicUrl?: string | null | undefined;
  /** Told how many of the file's rows have been judged, every 100 rows and at the end (the command line's progress). */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Thrown out of the transaction to undo it (a dry run, or an all-or-nothing import with a refused row), carrying the report. */
class Undo {
  constructor(readonly rows: ImportReportRow[]) {}
}

/** The keys under which two names are one person here: the case fold and both look-alike skeletons (lib/username-identity.ts). */
const sameNameKeys = (name: string) => [`f:${foldUsername(name)}`, `s:${usernameSkeleton(name)}`, `s:${casedUsernameSkeleton(name)}`];

/**
 * Many accounts (or invitations) from one file, judged row by row with the
 * rules every other write follows, in one transaction under the accounts lock.
 * All-or-nothing unless `continueOnError`: any refused row undoes the rest.
 * A dry run makes every check a real run makes, in the same transaction (an
 * update's writes are made and undone; a new account's or invitation's are
 * left out, since nothing in them can fail once the checks pass), so its
 * outcomes are the real ones. No password is hashed: an account gets an
 * unusable one and a set-password link. 2,000 rows: 0.3 s dry and 1.8 s for
 * real on SQLite, 0.5 s and 5.2 s on PostgreSQL (a loaded 2-core machine).
 *
 * @example
 * const report = await userImport.run(actor, bytes, { dryRun: true, mode: 'create', onExisting: 'skip', continueOnError: false, withKeys: false });
 */
export function createUserImport(deps: UserImportDeps) {
  const { users, audit, writes } = deps;
  const rows = createImportRows(deps);

  async function judge(q: Q, actor: Actor, row: ImportRow, opts: ImportOptions, pre: ImportPrefetch): Promise<RowResult> {
    const existing = pre.mayClash(row) ? await users.lookAlike(q, row.username) : undefined;
    if (existing) {
      const same = existing.username_lower === row.username.toLowerCase();
      // A look-alike is another account, never one to update from this row.
      if (!same)
        return opts.onExisting === 'skip'
          ? { outcome: 'skip', message: usernameClash(row.username, existing).message }
          : refusal(usernameClash(row.username, existing), 'username');
      if (opts.onExisting === 'skip') return { outcome: 'skip', message: `“${existing.username}” already exists: left as it is` };
      if (opts.onExisting === 'error')
        return { outcome: 'error', code: 'USERNAME_TAKEN', column: 'username', message: `“${existing.username}” already exists` };
      return rows.update(q, actor, existing, row, pre);
    }
    return opts.mode === 'invite'
      ? rows.invite(q, actor, row, { pre, dryRun: opts.dryRun })
      : rows.create(q, actor, row, { pre, withKeys: opts.withKeys, dryRun: opts.dryRun });
  }

  return {
    async run(actor: Actor, bytes: Uint8Array, opts: ImportOptions): Promise<ImportReport> {
      const parsed = parseUserImport(bytes, { format: opts.format, sameNameKeys });
      if (!parsed.ok) throw new AppError(parsed.error.code as ErrorCode, parsed.error.message);
      const fromFile: ImportReportRow[] = parsed.errors.map((e) => ({
        line: e.line,
        username: e.username,
        outcome: 'error',
        code: e.code,
        column: e.column,
        message: e.message,
        written: false,
      }));
      const allOrNothing = !opts.continueOnError;
      let report: ImportReportRow[];
      try {
        report = await writes.run(actor, async (trx) => {
          const out: ImportReportRow[] = [...fromFile];
          const pre = await prefetchForImport(trx, parsed.rows);
          const total = parsed.rows.length + fromFile.length;
          for (const row of parsed.rows) {
            let result: RowResult;
            try {
              result = await judge(trx, actor, row, opts, pre);
            } catch (e) {
              if (!isAppError(e)) throw e;
              result = refusal(e);
            }
            out.push({ line: row.line, username: row.username, ...result, written: false });
            if (opts.onProgress && (out.length % 100 === 0 || out.length === total)) opts.onProgress(out.length, total);
            // All-or-nothing: the first refusal decides; the rest is still judged (read-only) for the report.
          }
          out.sort((a, b) => a.line - b.line);
          const errors = out.filter((r) => r.outcome === 'error').length;
          if (opts.dryRun || (allOrNothing && errors > 0)) throw new Undo(out);
          const counts = countOf(out, true);
          await audit.record(
            actor,
            {
              action: 'users.import',
              targetType: 'user',
              detail: { mode: opts.mode, on_existing: opts.onExisting, continue_on_error: opts.continueOnError, with_keys: opts.withKeys, ...counts },
            },
            trx,
          );
          return out.map((r) => ({ ...r, written: r.outcome === 'create' || r.outcome === 'invite' || r.outcome === 'update' }));
        });
      } catch (e) {
        if (!(e instanceof Undo)) throw e;
        report = e.rows.map(({ link: _l, key: _k, ...r }) => r);
      }
      const base = opts.publicUrl ?? null;
      for (const r of report) if (r.link) r.link.url = base ? `${base}${r.link.path}` : null;
      const counts = countOf(report, !opts.dryRun);
      const committed = counts.written > 0;
      return { dry_run: opts.dryRun, committed, counts, rows: report, message: sentence(opts, counts, allOrNothing) };
    },
  };
}

function countOf(rows: ImportReportRow[], real: boolean) {
  const c = { create: 0, invite: 0, update: 0, skip: 0, error: 0, written: 0 };
  for (const r of rows) {
    c[r.outcome]++;
    if (real && r.written) c.written++;
  }
  return c;
}

function sentence(opts: ImportOptions, c: ReturnType<typeof countOf>, allOrNothing: boolean): string {
  const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
  const parts = [`${c.create} to create`, `${c.invite} to invite`, `${c.update} to update`, `${c.skip} to skip`].filter((p) => !p.startsWith('0 '));
  if (opts.dryRun) {
    const errs = c.error
      ? ` ${rows(c.error)} ${c.error === 1 ? 'has' : 'have'} errors${allOrNothing ? ': as it is, the import would write nothing' : ' and would be left out'}.`
      : '';
    return `Dry run, nothing written: ${parts.join(', ') || 'nothing to do'}.${errs}`;
  }
  if (allOrNothing && c.error > 0) {
    return `${rows(c.error)} ${c.error === 1 ? 'has' : 'have'} errors, so nothing was written (all or nothing): fix them and import again, or import with continue_on_error.`;
  }
  const done = [`${c.create} created`, `${c.invite} invited`, `${c.update} updated`, `${c.skip} skipped`].filter((p) => !p.startsWith('0 '));
  return `${done.join(', ') || 'Nothing to do'}.${c.error ? ` ${rows(c.error)} with errors ${c.error === 1 ? 'was' : 'were'} not written.` : ''}`;
}
export type UserImport = ReturnType<typeof createUserImport>;
