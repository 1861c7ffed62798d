import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportJournalView, ImportRunView } from '../src-shared/console-api.ts';
import { ConsoleFailure, type ConsoleError } from '../src-shared/console-errors.ts';
import type { ImportReport } from '../src-shared/user-import-schemas.ts';
import { openImportJournal, readImportJournal, type ImportJournal } from './bulk/import-journal.ts';
import type { ConsoleSession } from './console-session.ts';
import type { ConsoleHandlers } from './contracts.ts';

type ImportMethods = 'startImport' | 'importStatus' | 'stopImport' | 'importJournals';

interface Run {
  view: ImportRunView;
  connection: string;
  stop: AbortController;
  /** The report's links and key secrets go out once: to the first status read after the run ends. */
  secretsSent: boolean;
}

/** Runs kept for their status (finished ones are dropped oldest first past this). */
const KEPT_RUNS = 20;
const JOURNALS_LISTED = 10;

/** The report without what it shows only once: set-password and invitation links, key secrets. */
function withoutSecrets(report: ImportReport): ImportReport {
  return { ...report, rows: report.rows.map(({ link: _l, key: _k, ...row }) => row) };
}

const failureOf = (error: unknown): ConsoleError =>
  error instanceof ConsoleFailure ? error.error : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };

/**
 * Imports run in the main process, watched by the screen (`importStatus`) and
 * stopped by it (`stopImport`), so a long run on a Graphistry shows progress
 * and survives the screen being left. A run that writes to a Graphistry keeps
 * a journal in `journalsDir`: if the console is closed mid-run, the next one
 * lists it (`importJournals`) with exactly what was written.
 */
export function importHandlers(session: ConsoleSession, journalsDir: string | null): Pick<ConsoleHandlers, ImportMethods> {
  const runs = new Map<string, Run>();

  function keep(run: Run) {
    runs.set(run.view.run, run);
    const finished = [...runs.values()].filter((r) => r.view.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, runs.size - KEPT_RUNS))) runs.delete(old.view.run);
  }

  /** A run of this connection: a call prepared for another one is refused (STALE_CONNECTION) before any run is looked up. */
  async function runOf(connection: string, id: string): Promise<Run> {
    await session.backendFor(connection);
    const run = runs.get(id);
    if (!run || run.connection !== connection) throw new ConsoleFailure({ code: 'NOT_FOUND', message: 'No such import run on this connection.' });
    return run;
  }

  function journalFor(kind: string, dryRun: boolean, profileId: string): ImportJournal | null {
    if (!journalsDir || dryRun || kind !== 'remote-graphistry') return null;
    mkdirSync(journalsDir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return openImportJournal(join(journalsDir, `${stamp}-${profileId}.jsonl`));
  }

  return {
    startImport: async ({ connection, file_name, ...input }) => {
      const backend = await session.backendFor(connection);
      const active = session.active!;
      const journal = journalFor(backend.kind, input.dry_run, active.profile.id);
      const run: Run = {
        connection,
        stop: new AbortController(),
        secretsSent: false,
        view: {
          run: randomBytes(12).toString('hex'),
          file_name,
          dry_run: input.dry_run,
          state: 'running',
          phase: 'checking',
          done: 0,
          total: null,
          written: 0,
          started_at: new Date().toISOString(),
          report: null,
          error: null,
          journal: journal?.path ?? null,
        },
      };
      keep(run);
      const onProgress = ({ done, total, written, phase }: { done: number; total: number; written: number; phase: 'checking' | 'writing' }) => {
        Object.assign(run.view, { done, total, written, phase });
      };
      void backend
        .importUsers(input, { signal: run.stop.signal, onProgress, ...(journal ? { journal } : {}) })
        .then((report) => {
          Object.assign(run.view, { state: run.stop.signal.aborted ? 'stopped' : 'done', report, written: report.counts.written });
        })
        .catch((error: unknown) => Object.assign(run.view, { state: 'failed', error: failureOf(error) }))
        .finally(() => journal?.close());
      return { ...run.view };
    },
    importStatus: async ({ connection, run: id }) => {
      const run = await runOf(connection, id);
      const { report } = run.view;
      if (!report || run.view.state === 'running') return { ...run.view };
      if (run.secretsSent) return { ...run.view, report: withoutSecrets(report) };
      run.secretsSent = true;
      return { ...run.view };
    },
    stopImport: async ({ connection, run: id }) => {
      const run = await runOf(connection, id);
      run.stop.abort();
      return { ...run.view, report: run.view.report && withoutSecrets(run.view.report) };
    },
    importJournals: async ({ connection }) => {
      const backend = await session.backendFor(connection);
      if (!journalsDir) return [];
      let names: string[];
      try {
        names = readdirSync(journalsDir).filter((n) => n.endsWith('.jsonl'));
      } catch {
        return [];
      }
      const out: ImportJournalView[] = [];
      for (const name of names.sort().reverse()) {
        const path = join(journalsDir, name);
        const journal = readImportJournal(path);
        if (journal.server !== backend.baseUrl) continue;
        out.push({ file: path, modified_at: statSync(path).mtime.toISOString(), ...journal });
        if (out.length === JOURNALS_LISTED) break;
      }
      return out;
    },
  };
}
