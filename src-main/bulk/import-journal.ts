import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { JournalReportView } from '../../src-shared/import-journal-view.ts';

/**
 * What an import run has done so far, one JSON line per step, on disk before
 * and after each write. A run that is stopped (the console closed, the
 * machine lost power) leaves a journal that still says exactly which rows
 * were written, which were refused, and which one was on the wire with no
 * answer yet: the one row whose fate only the server can tell.
 *
 * Holds no secret: line numbers, usernames, ids and the server's sentences.
 */
export type JournalEntry =
  | { kind: 'start'; at: string; server: string; rows: number; dry_run: boolean }
  | { kind: 'sending'; line: number; username: string; action: 'create' | 'update' }
  | { kind: 'written'; line: number; username: string; action: 'create' | 'update'; id: number }
  | { kind: 'refused'; line: number; username: string; code: string; message: string; id?: number }
  | { kind: 'skipped'; line: number; username: string; reason: string }
  | { kind: 'end'; at: string; stopped: boolean };

export interface ImportJournal {
  readonly path: string;
  append(entry: JournalEntry): void;
  close(): void;
}

/** A journal appended to `path` (created with mode 0600: it names accounts), each line flushed to disk before the write it announces. */
export function openImportJournal(path: string): ImportJournal {
  const fd = openSync(path, 'a', 0o600);
  let open = true;
  return {
    path,
    append(entry) {
      if (!open) return;
      appendFileSync(fd, `${JSON.stringify(entry)}\n`);
      // A 'sending' line must be on disk before the request leaves, or a crash could hide a write.
      if (entry.kind === 'sending') fsyncSync(fd);
    },
    close() {
      if (!open) return;
      open = false;
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}

export type JournalReport = JournalReportView;

/** Read a journal back: what was written, refused and skipped, and the row left in doubt when the run was cut off. */
export function readImportJournal(path: string): JournalReport {
  const report: JournalReport = { server: null, rows: 0, finished: false, stopped: false, written: [], refused: [], skipped: [], unknown: [] };
  const pending = new Map<number, { line: number; username: string; action: 'create' | 'update' }>();
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(text) as JournalEntry;
    } catch {
      continue; // a last line cut off mid-write: the entry it began was never acted on
    }
    switch (entry.kind) {
      case 'start':
        report.server = entry.server;
        report.rows = entry.rows;
        break;
      case 'sending':
        pending.set(entry.line, { line: entry.line, username: entry.username, action: entry.action });
        break;
      case 'written':
        pending.delete(entry.line);
        report.written.push({ line: entry.line, username: entry.username, action: entry.action, id: entry.id });
        break;
      case 'refused':
        pending.delete(entry.line);
        report.refused.push({
          line: entry.line,
          username: entry.username,
          code: entry.code,
          message: entry.message,
          ...(entry.id !== undefined ? { id: entry.id } : {}),
        });
        break;
      case 'skipped':
        report.skipped.push({ line: entry.line, username: entry.username, reason: entry.reason });
        break;
      case 'end':
        report.finished = true;
        report.stopped = entry.stopped;
        break;
    }
  }
  report.unknown = [...pending.values()];
  return report;
}
