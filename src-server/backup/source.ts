import { AppError } from '../errors.ts';
import { migrationNames } from '../db/migrations.ts';
import type { Dialect } from '../db/schema.ts';
import { appliedMigrations, discoverTables, q, type TableInfo } from './catalog.ts';
import { countRows } from './table-reader.ts';
import type { Snapshot } from './snapshot.ts';

/** What a copy carries besides rows: the schema's version, its tables, and how far each generated id has gone. */
export interface SourceHeader {
  source_dialect: Dialect;
  migrations: string[];
  tables: Array<{ name: string; columns: string[]; key: string[] }>;
  /** Per table with a generated id: the highest id ever handed out (a deleted row's id is never handed out again). */
  sequences: Record<string, number>;
}

export interface Source {
  header: SourceHeader;
  tables: TableInfo[];
  counts: Record<string, number>;
}

export async function describeSource(s: Snapshot): Promise<Source> {
  const migrations = await appliedMigrations(s.query, s.dialect);
  if (migrations.length === 0)
    throw new AppError('NO_DATABASE', `${s.location} holds no Graphistry Admin database (no migrations were ever applied there): nothing to copy.`);
  const known = new Set(migrationNames(s.dialect));
  const unknown = migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new AppError(
      'BACKUP_SCHEMA_TOO_NEW',
      `${s.location} was migrated by a newer version (${unknown.join(', ')}): copy it with that version or a later one.`,
    );
  }
  const tables = await discoverTables(s.query, s.dialect);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t.name] = await countRows(s.query, t);
  return {
    header: {
      source_dialect: s.dialect,
      migrations,
      tables: tables.map((t) => ({ name: t.name, columns: t.columns, key: t.key })),
      sequences: await sequences(s, tables),
    },
    tables,
    counts,
  };
}

async function sequences(s: Snapshot, tables: TableInfo[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (s.dialect === 'sqlite') {
    const has = (await s.query(`select 1 from sqlite_master where name = 'sqlite_sequence'`)).length > 0;
    if (has) for (const r of await s.query('select name, seq from sqlite_sequence')) out[String(r.name)] = Number(r.seq);
    return Object.fromEntries(Object.entries(out).filter(([name]) => tables.some((t) => t.name === name && t.autoId)));
  }
  for (const t of tables) {
    if (!t.autoId) continue;
    const seq = (await s.query('select pg_get_serial_sequence($1, $2) as s', [q(t.name), t.autoId]))[0]?.s;
    if (typeof seq !== 'string') continue;
    const row = (await s.query(`select last_value, is_called from ${seq}`))[0];
    out[t.name] = row?.is_called ? Number(row.last_value) : 0;
  }
  return out;
}
