import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, type ErrorCode } from '../errors.ts';
import { startThread } from '../lib/start-thread.ts';
import { redactUrl } from '../db/database.ts';
import { cliActor } from '../lib/cli-actor.ts';
import { backupToFile, type BackupWritten, type CopySummary } from './backup-file.ts';
import type { BackupThreadMessage } from './backup-thread.ts';
import { readBackup } from './backup-reader.ts';
import { checkEnvTarget, readEnvSecrets, writeEnvSecrets } from './env-secrets.ts';
import { loadInto, type Feed } from './loader.ts';
import { silentProgress, type Progress } from './progress.ts';
import { openSnapshot, type Place, type Snapshot } from './snapshot.ts';
import { describeSource, type Source } from './source.ts';
import { readTable } from './table-reader.ts';
import { auditBackup } from './audit-entry.ts';
import { lockDataDir, postgresTarget, sqliteTarget, type Target } from './target.ts';

export type { Place } from './snapshot.ts';
export type { CopySummary } from './backup-file.ts';

const openTarget = (p: Place, lock = true): Promise<Target> => (p.databaseUrl ? postgresTarget(p.databaseUrl) : sqliteTarget(p.dataDir, lock));

/**
 * `backup FILE`: a snapshot of the live database and the data dir's secrets,
 * written to FILE (0600, never over an existing file), then recorded in the
 * source's audit log; if that entry cannot be written, the file is removed.
 * With `lowPriority` (the command beside a serving server) the snapshot is
 * read and written on a thread at the lowest CPU priority
 * (backup-thread.ts), and the entry written here at this thread's own.
 */
export async function backup(
  from: Place,
  file: string,
  progress: Progress = silentProgress,
  opts: { actor?: string; lowPriority?: boolean } = {},
): Promise<BackupWritten> {
  const summary = opts.lowPriority ? await backupOnLowThread(from, file, progress) : await backupToFile(from, file, progress);
  const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
  try {
    await auditBackup(
      from,
      { actor: opts.actor ?? cliActor().username, action: 'database.backup', detail: { file: summary.file, tables: Object.keys(summary.tables).length, rows } },
      summary.location,
    );
  } catch (e) {
    rmSync(summary.file, { force: true });
    throw e;
  }
  return summary;
}

/** backupToFile on its own thread (backup-thread.ts): its progress comes here, its error is thrown here. */
function backupOnLowThread(from: Place, file: string, progress: Progress): Promise<BackupWritten> {
  const sources = import.meta.url.endsWith('.ts');
  const worker = startThread(new URL(`./backup-thread.${sources ? 'ts' : 'js'}`, import.meta.url), { from, file });
  return new Promise<BackupWritten>((resolve, reject) => {
    worker.on('message', (m: BackupThreadMessage) => {
      if ('written' in m) resolve(m.written);
      else if ('error' in m) reject(m.error.code ? new AppError(m.error.code as ErrorCode, m.error.message) : new Error(m.error.message));
      else if (m.progress === 'table') progress.table(m.name, m.total);
      else if (m.progress === 'rows') progress.rows(m.n);
      else progress.done();
    });
    worker.on('error', reject);
    // After its answer, an exit changes nothing; before it, it is a failure.
    worker.on('exit', (code) => reject(new Error(`the backup thread stopped (exit code ${code}) before it finished`)));
  });
}

/** `restore FILE`: checked whole first, then loaded in one transaction; `.env`'s secrets written once the rows are in. */
export async function restore(into: Place, file: string, progress: Progress = silentProgress, actor = cliActor().username): Promise<CopySummary> {
  const checked = await readBackup(file);
  checkEnvTarget(into.dataDir, checked.secrets);
  const target = await openTarget(into);
  try {
    let current = '';
    const feed: Feed = (rows) =>
      readBackup(file, async (table, batch) => {
        if (table !== current) progress.table((current = table), checked.manifest[table]?.rows ?? 0);
        progress.rows(batch.length);
        await rows(table, batch);
      }).then(() => progress.done());
    const note = {
      actor,
      action: 'database.restore' as const,
      detail: { from: resolve(file), source_dialect: checked.header.source_dialect, backup_created_at: checked.header.created_at },
    };
    const tables = await loadInto(target, checked.header, feed, checked.manifest, note);
    writeEnvSecrets(into.dataDir, checked.secrets);
    await target.close();
    return { location: target.location, migrations: checked.header.migrations, tables };
  } catch (e) {
    await target.discard();
    throw e;
  }
}

/**
 * `db move`: the backup's snapshot copied straight into the restore's
 * loader, no file between; the source is only read. On SQLite the command
 * holds the data dir's server lock, so it refuses while a server runs there.
 */
export async function move(
  from: Place,
  to: Place,
  progress: Progress = silentProgress,
  actor = cliActor().username,
): Promise<CopySummary & { source: string }> {
  if (sameDatabase(from, to)) throw new AppError('SAME_DATABASE', 'The source and the target are the same database: name another one with --to.');
  const secrets = readEnvSecrets(from.dataDir);
  if (resolve(to.dataDir) !== resolve(from.dataDir)) checkEnvTarget(to.dataDir, secrets);
  const held = from.databaseUrl ? null : lockDataDir(from.dataDir);
  try {
    const snap = await openSnapshot(from);
    try {
      const source = await describeSource(snap);
      const target = await openTarget(to, !(held && resolve(to.dataDir) === resolve(from.dataDir)));
      try {
        const note = { actor, action: 'database.move' as const, detail: { from: snap.location, source_dialect: snap.dialect } };
        const tables = await loadInto(target, source.header, copyRows(snap, source, progress), null, note);
        for (const t of source.tables) {
          if (tables[t.name]?.rows !== source.counts[t.name]) {
            throw new AppError('COPY_VERIFY_FAILED', `Table ${t.name}: ${source.counts[t.name]} row(s) in the source, ${tables[t.name]?.rows} copied.`);
          }
        }
        await target.close();
        if (resolve(to.dataDir) !== resolve(from.dataDir)) writeEnvSecrets(to.dataDir, secrets);
        return { source: snap.location, location: target.location, migrations: source.header.migrations, tables };
      } catch (e) {
        await target.discard();
        throw e;
      }
    } finally {
      await snap.close();
    }
  } finally {
    held?.release();
  }
}

function copyRows(snap: Snapshot, source: Source, progress: Progress): Feed {
  return async (rows) => {
    for (const t of source.tables) {
      progress.table(t.name, source.counts[t.name] ?? 0);
      for await (const batch of readTable(snap.query, snap.dialect, t)) {
        await rows(t.name, batch);
        progress.rows(batch.length);
      }
    }
    progress.done();
  };
}

function sameDatabase(a: Place, b: Place): boolean {
  if (a.databaseUrl || b.databaseUrl) return Boolean(a.databaseUrl && b.databaseUrl && redactUrl(a.databaseUrl) === redactUrl(b.databaseUrl));
  return resolve(a.dataDir) === resolve(b.dataDir);
}
