import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../errors.ts';
import { redactUrl } from '../db/database.ts';
import { cliActor } from '../lib/cli-actor.ts';
import { refuseExisting, writeBackup, type Manifest } from './backup-file.ts';
import { readBackup } from './backup-reader.ts';
import { checkEnvTarget, readEnvSecrets, writeEnvSecrets } from './env-secrets.ts';
import { loadInto, type Feed } from './loader.ts';
import { silentProgress, type Progress } from './progress.ts';
import { postgresSnapshot, sqliteSnapshot, type Snapshot } from './snapshot.ts';
import { describeSource, type Source } from './source.ts';
import { readTable } from './table-reader.ts';
import { auditBackup } from './audit-entry.ts';
import { lockDataDir, postgresTarget, sqliteTarget, type Target } from './target.ts';

/** Where a command points: the data dir (its `.env`, and its SQLite file unless a PostgreSQL URL is given). */
export interface Place {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export interface CopySummary {
  location: string;
  migrations: string[];
  tables: Manifest;
}

const openSnapshot = (p: Place): Promise<Snapshot> => (p.databaseUrl ? postgresSnapshot(p.databaseUrl) : sqliteSnapshot(p.dataDir));
const openTarget = (p: Place, lock = true): Promise<Target> => (p.databaseUrl ? postgresTarget(p.databaseUrl) : sqliteTarget(p.dataDir, lock));

/**
 * `backup FILE`: a snapshot of the live database and the data dir's secrets,
 * written to FILE (0600, never over an existing file), then recorded in the
 * source's audit log; if that entry cannot be written, the file is removed.
 */
export async function backup(
  from: Place,
  file: string,
  progress: Progress = silentProgress,
  actor = cliActor().username,
): Promise<CopySummary & { file: string }> {
  refuseExisting(file);
  const snap = await openSnapshot(from);
  let summary: CopySummary & { file: string };
  try {
    const source = await describeSource(snap);
    const secrets = readEnvSecrets(from.dataDir);
    const { manifest } = await writeBackup(file, snap, source, secrets, progress);
    summary = { file: resolve(file), location: snap.location, migrations: source.header.migrations, tables: manifest };
  } finally {
    await snap.close();
  }
  const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
  try {
    await auditBackup(
      from,
      { actor, action: 'database.backup', detail: { file: summary.file, tables: Object.keys(summary.tables).length, rows } },
      summary.location,
    );
  } catch (e) {
    rmSync(summary.file, { force: true });
    throw e;
  }
  return summary;
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
