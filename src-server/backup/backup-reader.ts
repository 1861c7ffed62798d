import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import { migrationNames } from '../db/migrations.ts';
import { canonicalLine, TableDigest, type CanonicalValue } from './canonical.ts';
import { BACKUP_FORMAT, BACKUP_VERSION, type Manifest } from './backup-file.ts';
import { checkEnvSecrets, type EnvSecrets } from './env-secrets.ts';
import type { SourceHeader } from './source.ts';

type Line = Record<string, unknown> | CanonicalValue[];
const invalid = (file: string, why: string) => new AppError('BACKUP_INVALID', `${file} is not a usable backup: ${why}.`);
const mismatch = (file: string, what: string) =>
  new AppError('BACKUP_CHECKSUM_MISMATCH', `${file} does not match its own checksum (${what}): it was altered or damaged; nothing was restored.`);

function open(file: string): Readable {
  if (!existsSync(file)) throw new AppError('BACKUP_INVALID', `There is no file ${file}.`);
  const fd = openSync(file, 'r');
  const magic = Buffer.alloc(2);
  readSync(fd, magic, 0, 2, 0);
  closeSync(fd);
  const raw = createReadStream(file);
  return magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}

/** Every line of the file, parsed, with its text (for the file checksum). */
async function* lines(file: string): AsyncGenerator<{ text: string; value: Line; n: number }> {
  let n = 0;
  try {
    for await (const text of createInterface({ input: open(file), crlfDelay: Infinity })) {
      n++;
      let value: Line;
      try {
        value = JSON.parse(text) as Line;
      } catch {
        throw invalid(file, `line ${n} is not JSON`);
      }
      yield { text, value, n };
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw invalid(file, (e as Error).message);
  }
}

export interface VerifiedBackup {
  header: SourceHeader & { created_at: string };
  manifest: Manifest;
  secrets: EnvSecrets;
}

/**
 * Reads the whole file once and checks it before anything is written: its
 * format, that this code knows its schema, every table's row count and
 * checksum, the file's checksum, and that it carries the `.env` secrets.
 * When `onRows` is given it also hands over each table's rows (the second,
 * loading pass: the same checks again, as it reads).
 */
export async function readBackup(file: string, onRows?: (table: string, rows: CanonicalValue[][]) => Promise<void>): Promise<VerifiedBackup> {
  const fileHash = createHash('sha256');
  let header: VerifiedBackup['header'] | null = null;
  let table: { name: string; width: number; digest: TableDigest; batch: CanonicalValue[][] } | null = null;
  const ends: Manifest = {};
  let secrets: Record<string, string> | null = null;
  let manifest: Manifest | null = null;
  let fileSum: string | null = null;
  for await (const { text, value, n } of lines(file)) {
    if (fileSum !== null) throw invalid(file, `line ${n} follows the final checksum`);
    if (!Array.isArray(value) && typeof value.file_sha256 === 'string') {
      fileSum = value.file_sha256;
      continue;
    }
    fileHash.update(text + '\n');
    if (!header) {
      header = checkHeader(file, value);
      continue;
    }
    if (Array.isArray(value)) {
      if (!table || value.length !== table.width) throw invalid(file, `line ${n} is a row outside a table or of the wrong width`);
      table.digest.add(canonicalLine(value));
      if (onRows) {
        table.batch.push(value);
        if (table.batch.length >= 1000) await onRows(table.name, table.batch.splice(0));
      }
    } else if (typeof value.table === 'string') {
      const spec = header.tables.find((t) => t.name === value.table);
      if (!spec || table || value.table in ends) throw invalid(file, `line ${n} opens an unexpected table`);
      table = { name: spec.name, width: spec.columns.length, digest: new TableDigest(), batch: [] };
    } else if (typeof value.end === 'string') {
      if (!table || table.name !== value.end) throw invalid(file, `line ${n} closes a table that is not open`);
      const got = table.digest.result();
      if (got.rows !== value.rows || got.sha256 !== value.sha256) throw mismatch(file, `table ${table.name}`);
      if (onRows && table.batch.length > 0) await onRows(table.name, table.batch.splice(0));
      ends[table.name] = got;
      table = null;
    } else if (value.secrets && typeof value.secrets === 'object') secrets = value.secrets as Record<string, string>;
    else if (value.manifest && typeof value.manifest === 'object') manifest = value.manifest as Manifest;
    else throw invalid(file, `line ${n} is not part of the format`);
  }
  if (!header) throw invalid(file, 'it is empty');
  if (fileSum === null) throw invalid(file, 'it ends before its final checksum (cut short?)');
  if (fileHash.digest('hex') !== fileSum) throw mismatch(file, 'the whole file');
  if (!manifest || table) throw invalid(file, 'it has no manifest');
  for (const t of header.tables) {
    const want = manifest[t.name];
    const got = ends[t.name];
    if (!want || !got || want.rows !== got.rows || want.sha256 !== got.sha256) throw mismatch(file, `manifest of table ${t.name}`);
  }
  return { header, manifest, secrets: checkEnvSecrets(secrets ?? {}, `The backup ${file}`) };
}

function checkHeader(file: string, value: Line): VerifiedBackup['header'] {
  if (Array.isArray(value) || value.format !== BACKUP_FORMAT) throw invalid(file, 'it does not start with a Graphistry Admin backup header');
  if (value.version !== BACKUP_VERSION) throw invalid(file, `it is format version ${String(value.version)}; this version reads version ${BACKUP_VERSION}`);
  const h = value as unknown as VerifiedBackup['header'];
  if (!Array.isArray(h.migrations) || !Array.isArray(h.tables) || typeof h.sequences !== 'object') throw invalid(file, 'its header is incomplete');
  const known = new Set(migrationNames(h.source_dialect === 'postgres' ? 'postgres' : 'sqlite'));
  const unknown = h.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new AppError(
      'BACKUP_SCHEMA_TOO_NEW',
      `${file} was made by a newer version (its schema has ${unknown.join(', ')}): restore it with that version or a later one.`,
    );
  }
  return h;
}
