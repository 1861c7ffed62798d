import SQLite from 'better-sqlite3';
import { AppError } from '../errors.ts';
import type { Dialect } from '../db/schema.ts';
import { sqliteFile } from './snapshot.ts';

/**
 * The audit entries the copy commands write themselves, outside the server's
 * runtime (they never open it): `database.backup` in the source, once the
 * file is whole; `database.restore` and `database.move` in the target, inside
 * the load's transaction (loader.ts). One statement for all three.
 */
export interface AuditNote {
  actor: string;
  action: 'database.backup' | 'database.restore' | 'database.move';
  detail: Record<string, string | number>;
}

/** The insert of `note` about `target` (where the database is), as text and parameters for `dialect`. */
export function auditInsert(dialect: Dialect, note: AuditNote, target: string): [string, unknown[]] {
  const marks = [1, 2, 3, 4, 5, 6].map((i) => (dialect === 'postgres' ? `$${i}` : '?')).join(', ');
  return [
    `insert into audit_log (at, actor, action, target, outcome, detail) values (${marks})`,
    [new Date().toISOString(), note.actor, note.action, target, 'success', JSON.stringify(note.detail)],
  ];
}

/**
 * The one write a backup makes: its `database.backup` entry in the source's
 * own audit log, so the log says who took a copy of every password hash and
 * secret, and where they put it. A separate short write beside the serving
 * server (SQLite waits up to 10 s for its writer), made at the command's
 * normal CPU priority (backup-thread.ts says why).
 */
export async function auditBackup(place: { dataDir: string; databaseUrl?: string | undefined }, note: AuditNote, location: string): Promise<void> {
  try {
    if (place.databaseUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: place.databaseUrl });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query(...auditInsert('postgres', note, location));
      } finally {
        await client.end().catch(() => undefined);
      }
    } else {
      const db = new SQLite(sqliteFile(place.dataDir), { fileMustExist: true, timeout: 10_000 });
      try {
        // As the server's own writes: no fsync inside the commit, which holds the write lock the server's writes wait for.
        db.pragma('synchronous = NORMAL');
        const [text, params] = auditInsert('sqlite', note, location);
        db.prepare(text).run(...params);
      } finally {
        db.close();
      }
    }
  } catch (e) {
    throw new AppError(
      'AUDIT_FAILED',
      `The backup was written but its entry in the audit log of ${location} was not (${(e as Error).message}), so the file was removed.`,
    );
  }
}
