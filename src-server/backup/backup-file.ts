import { createWriteStream, existsSync, fsyncSync, linkSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AppError } from '../errors.ts';
import { canonicalLine, TableDigest } from './canonical.ts';
import type { Progress } from './progress.ts';
import { describeSource, type Source } from './source.ts';
import { openSnapshot, type Place, type Snapshot } from './snapshot.ts';
import { readTable } from './table-reader.ts';
import { readEnvSecrets, type EnvSecrets } from './env-secrets.ts';

/**
 * The backup file: JSON lines (gzip-compressed when the name ends in .gz).
 *
 *   {"format":"graphistry-admin-backup","version":1,"created_at",…,"migrations","tables","sequences"}
 *   {"table":"users"}          then one canonical row per line (canonical.ts), then
 *   {"end":"users","rows":N,"sha256":"…"}        … for every table, then
 *   {"secrets":{…}}            the .env values keys and tokens depend on
 *   {"manifest":{"users":{"rows":N,"sha256":"…"},…}}
 *   {"file_sha256":"…"}        SHA-256 of every line above (uncompressed, each with its newline)
 */
export const BACKUP_FORMAT = 'graphistry-admin-backup';
export const BACKUP_VERSION = 1;
export type Manifest = Record<string, { rows: number; sha256: string }>;

export function refuseExisting(file: string): void {
  if (!existsSync(dirname(resolve(file))))
    throw new AppError('VALIDATION', `The folder ${dirname(resolve(file))} does not exist: create it first, or name another.`);
  if (existsSync(file)) throw new AppError('BACKUP_FILE_EXISTS', `${file} already exists: a backup never overwrites a file; choose another name.`);
}

/** What a copy (backup, restore, move) read or wrote: where, its schema, and every table's count and checksum. */
export interface CopySummary {
  location: string;
  migrations: string[];
  tables: Manifest;
}

/** What a backup wrote: the copy's summary, and the file. */
export type BackupWritten = CopySummary & { file: string };

/**
 * The reading and writing part of `backup FILE`: a snapshot of `from` and
 * its data dir's secrets, written to FILE. It writes nothing to the
 * database; the audit entry is the caller's (backup-service.ts).
 */
export async function backupToFile(from: Place, file: string, progress: Progress): Promise<BackupWritten> {
  refuseExisting(file);
  const snap = await openSnapshot(from);
  try {
    const source = await describeSource(snap);
    const secrets = readEnvSecrets(from.dataDir);
    const { manifest } = await writeBackup(file, snap, source, secrets, progress);
    return { file: resolve(file), location: snap.location, migrations: source.header.migrations, tables: manifest };
  } finally {
    await snap.close();
  }
}

/** Writes under a temporary name and links it into place at the end (the caller checked `file` is free; a name taken meanwhile is refused). */
export async function writeBackup(file: string, snap: Snapshot, source: Source, secrets: EnvSecrets, progress: Progress) {
  const tmp = `${file}.partial-${process.pid}`;
  const manifest: Manifest = {};
  const fileHash = createHash('sha256');
  const line = (s: string) => {
    fileHash.update(s + '\n');
    return s + '\n';
  };
  async function* lines(): AsyncGenerator<string> {
    yield line(JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, created_at: new Date().toISOString(), ...source.header }));
    for (const t of source.tables) {
      progress.table(t.name, source.counts[t.name] ?? 0);
      yield line(JSON.stringify({ table: t.name }));
      const digest = new TableDigest();
      for await (const batch of readTable(snap.query, snap.dialect, t)) {
        let chunk = '';
        for (const row of batch) {
          const text = canonicalLine(row);
          digest.add(text);
          chunk += line(text);
        }
        progress.rows(batch.length);
        yield chunk;
      }
      manifest[t.name] = digest.result();
      yield line(JSON.stringify({ end: t.name, ...manifest[t.name] }));
    }
    progress.done();
    yield line(JSON.stringify({ secrets }));
    yield line(JSON.stringify({ manifest }));
    yield JSON.stringify({ file_sha256: fileHash.digest('hex') }) + '\n';
  }
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  try {
    if (file.endsWith('.gz')) await pipeline(lines(), createGzip(), out);
    else await pipeline(lines(), out);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    try {
      linkSync(tmp, file); // fails if the name was taken meanwhile: never overwrites
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') refuseExisting(file);
      throw e;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
  }
  return { manifest };
}
