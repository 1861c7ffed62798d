import SQLite from 'better-sqlite3';
import { AppError } from '../errors.ts';
import { sqliteFile } from './snapshot.ts';

export interface BackupEntry {
  actor: string;
  /** Where the database is, as the summary names it (a PostgreSQL URL without its password). */
  location: string;
  detail: { file: string; tables: number; rows: number };
}

/**
 * The one write a backup makes: a `database.backup` entry in the source's
 * own audit log, once the file is whole, so the log says who took a copy of
 * every password hash and secret, and where they put it. A separate short
 * write beside the serving server (SQLite waits up to 10 s for its writer).
 */
export async function auditBackup(dataDir: string, databaseUrl: string | undefined, entry: BackupEntry): Promise<void> {
  const values = [new Date().toISOString(), entry.actor, 'database.backup', entry.location, 'success', JSON.stringify(entry.detail)];
  const columns = 'insert into audit_log (at, actor, action, target, outcome, detail)';
  try {
    if (databaseUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: databaseUrl });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query(`${columns} values ($1, $2, $3, $4, $5, $6)`, values);
      } finally {
        await client.end().catch(() => undefined);
      }
    } else {
      const db = new SQLite(sqliteFile(dataDir), { fileMustExist: true, timeout: 10_000 });
      try {
        db.prepare(`${columns} values (?, ?, ?, ?, ?, ?)`).run(...values);
      } finally {
        db.close();
      }
    }
  } catch (e) {
    throw new AppError(
      'AUDIT_FAILED',
      `The backup was written but its entry in the audit log of ${entry.location} was not (${(e as Error).message}), so the file was removed.`,
    );
  }
}
