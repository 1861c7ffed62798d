import { CompiledQuery, type Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import { applyMigrations } from '../db/migrations.ts';
import { canonicalLine, TableDigest, type CanonicalValue } from './canonical.ts';
import { discoverTables, q, type Query, type TableInfo } from './catalog.ts';
import { readTable } from './table-reader.ts';
import type { Manifest } from './backup-file.ts';
import type { SourceHeader } from './source.ts';
import type { Target } from './target.ts';
import { auditInsert, type AuditNote } from './audit-entry.ts';

export type Feed = (rows: (table: string, batch: CanonicalValue[][]) => Promise<void>) => Promise<void>;

/**
 * Loads a copy into an empty target in one transaction: the schema the copy
 * had (its migrations, no later ones), every row in batches, generated ids
 * set past the largest ever handed out, then every table read back and
 * checked against what came in (and against `expected`, a backup's
 * manifest), and only then the later migrations. Any failure rolls all of
 * it back.
 */
export async function loadInto(target: Target, header: SourceHeader, feed: Feed, expected: Manifest | null, audit: AuditNote): Promise<Manifest> {
  return target.db.transaction().execute(async (trx) => {
    const query: Query = async (text, params = []) => (await trx.executeQuery(CompiledQuery.raw(text, [...params]))).rows as Array<Record<string, unknown>>;
    await applyMigrations(trx as Kysely<unknown>, target.dialect, new Set(header.migrations));
    const tables = await discoverTables(query, target.dialect);
    matchTables(header, tables);
    for (const t of [...tables].reverse()) await query(`delete from ${q(t.name)}`); // rows the migrations seeded
    const incoming = new Map(tables.map((t) => [t.name, new TableDigest()]));
    const byName = new Map(tables.map((t) => [t.name, t]));
    await feed(async (name, batch) => {
      const t = byName.get(name)!;
      for (const row of batch) incoming.get(name)!.add(canonicalLine(row));
      await insert(query, target.dialect, t, batch);
    });
    for (const t of tables) if (t.autoId) await setSequence(query, target.dialect, t, header.sequences[t.name] ?? 0);
    const loaded: Manifest = {};
    for (const t of tables) {
      const back = new TableDigest();
      for await (const batch of readTable(query, target.dialect, t)) for (const row of batch) back.add(canonicalLine(row));
      loaded[t.name] = back.result();
      const came = incoming.get(t.name)!.result();
      const want = expected?.[t.name] ?? came;
      if (loaded[t.name]!.sha256 !== came.sha256 || came.sha256 !== want.sha256 || came.rows !== want.rows) {
        throw new AppError('COPY_VERIFY_FAILED', `Table ${t.name} read back from ${target.location} does not match what was copied into it: nothing was kept.`);
      }
    }
    await applyMigrations(trx as Kysely<unknown>, target.dialect);
    const rows = Object.values(loaded).reduce((n, t) => n + t.rows, 0);
    // The source's log is copied as it was; this entry is the target's own.
    await query(...auditInsert(target.dialect, { ...audit, detail: { ...audit.detail, tables: tables.length, rows } }, target.location));
    return loaded;
  });
}

function matchTables(header: SourceHeader, tables: TableInfo[]): void {
  const here = new Map(tables.map((t) => [t.name, t.columns.join(',')]));
  const there = new Map(header.tables.map((t) => [t.name, t.columns.join(',')]));
  const differ = [...new Set([...here.keys(), ...there.keys()])].filter((n) => here.get(n) !== there.get(n));
  if (differ.length > 0) {
    throw new AppError(
      'BACKUP_INVALID',
      `The copy's tables do not match the schema its migrations make here (${differ.join(', ')}): it was altered or made by another program.`,
    );
  }
}

async function insert(query: Query, dialect: Target['dialect'], t: TableInfo, batch: CanonicalValue[][]): Promise<void> {
  const width = t.columns.length;
  const per = Math.max(1, Math.min(500, Math.floor(30_000 / width)));
  const bools = t.columns.map((c) => t.booleans.includes(c));
  for (let i = 0; i < batch.length; i += per) {
    const rows = batch.slice(i, i + per);
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const marks = row.map((v, j) => {
        params.push(bools[j] && v !== null ? v === 1 : v);
        return dialect === 'postgres' ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await query(`insert into ${q(t.name)} (${t.columns.map(q).join(', ')}) values ${tuples.join(', ')}`, params);
  }
}

async function setSequence(query: Query, dialect: Target['dialect'], t: TableInfo, highWater: number): Promise<void> {
  const max = Number((await query(`select coalesce(max(${q(t.autoId!)}), 0) as m from ${q(t.name)}`))[0]?.m ?? 0);
  const next = Math.max(max, highWater);
  if (dialect === 'postgres') {
    const seq = (await query('select pg_get_serial_sequence($1, $2) as s', [q(t.name), t.autoId]))[0]?.s;
    if (typeof seq === 'string') await query(`select setval($1, $2, $3)`, [seq, Math.max(next, 1), next > 0]);
    return;
  }
  if (next === 0) return;
  await query('delete from sqlite_sequence where name = ?', [t.name]);
  await query('insert into sqlite_sequence (name, seq) values (?, ?)', [t.name, next]);
}
