import { AppError } from '../errors.ts';
import type { Dialect } from '../db/schema.ts';
import { LEDGER } from '../db/migrations.ts';

/** A query on one connection (or in one transaction): object rows, `?` placeholders on SQLite and `$n` on PostgreSQL. */
export type Query = (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

export interface TableInfo {
  name: string;
  /** Every column, sorted by name: the canonical order of a row's values. */
  columns: string[];
  /** The primary key's columns: rows are read and checksummed in this order. */
  key: string[];
  /** Key columns holding text (PostgreSQL sorts them with collate "C", SQLite's bytewise order). */
  textKey: string[];
  /** Columns PostgreSQL types boolean (SQLite stores 0/1 in integers). */
  booleans: string[];
  /** The generated id column (serial / autoincrement), if any. */
  autoId: string | null;
  /** Tables this one references: they are copied first. */
  refs: string[];
}

/** Bookkeeping that is never copied: each database's own, or the migrations' (rebuilt by the restore). */
const NOT_DATA = new Set([LEDGER, 'kysely_migration', 'kysely_migration_lock']);

export const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Every table the migrations made, read from the database's own catalog
 * (never a list kept by hand), in an order where a table comes after those it
 * references. SQLite's full-text index (a virtual table and its shadow
 * tables) is left out: triggers rebuild it as users are inserted.
 */
export async function discoverTables(query: Query, dialect: Dialect): Promise<TableInfo[]> {
  const tables = dialect === 'sqlite' ? await sqliteTables(query) : await postgresTables(query);
  return orderByReferences(tables.filter((t) => !NOT_DATA.has(t.name)));
}

async function sqliteTables(query: Query): Promise<TableInfo[]> {
  const list = await query(`select name, type from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite\\_%' escape '\\'`);
  const out: TableInfo[] = [];
  for (const { name } of list as Array<{ name: string }>) {
    const cols = (await query(`select name, type, pk from pragma_table_info(?)`, [name])) as Array<{ name: string; type: string; pk: number }>;
    const key = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const ddl = String((await query(`select sql from sqlite_master where type = 'table' and name = ?`, [name]))[0]?.sql ?? '');
    const refs = (await query(`select distinct "table" as ref from pragma_foreign_key_list(?)`, [name])).map((r) => String(r.ref));
    out.push({
      name,
      columns: cols.map((c) => c.name).sort(),
      key: key.map((c) => c.name),
      textKey: key.filter((c) => !/int/i.test(c.type)).map((c) => c.name),
      booleans: [],
      autoId: key.length === 1 && /autoincrement/i.test(ddl) ? key[0]!.name : null,
      refs: refs.filter((r) => r !== name),
    });
  }
  return out;
}

async function postgresTables(query: Query): Promise<TableInfo[]> {
  const cols = (await query(
    `select table_name, column_name, data_type, column_default from information_schema.columns
     where table_schema = current_schema() and table_name in (select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE')`,
  )) as Array<{ table_name: string; column_name: string; data_type: string; column_default: string | null }>;
  const keys = (await query(
    `select c.relname as table_name, a.attname as column_name, array_position(i.indkey::smallint[], a.attnum) as pos
     from pg_index i join pg_class c on c.oid = i.indrelid join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
     where i.indisprimary and c.relnamespace = current_schema()::regnamespace`,
  )) as Array<{ table_name: string; column_name: string; pos: number }>;
  const refs = (await query(
    `select c.relname as table_name, r.relname as ref from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
     where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`,
  )) as Array<{ table_name: string; ref: string }>;
  const names = [...new Set(cols.map((c) => c.table_name))];
  return names.map((name) => {
    const mine = cols.filter((c) => c.table_name === name);
    const key = keys
      .filter((k) => k.table_name === name)
      .sort((a, b) => a.pos - b.pos)
      .map((k) => k.column_name);
    const type = (c: string) => mine.find((m) => m.column_name === c)?.data_type ?? '';
    const auto = mine.find((m) => m.column_default?.startsWith('nextval('));
    return {
      name,
      columns: mine.map((c) => c.column_name).sort(),
      key,
      textKey: key.filter((k) => /char|text/.test(type(k))),
      booleans: mine.filter((c) => c.data_type === 'boolean').map((c) => c.column_name),
      autoId: auto?.column_name ?? null,
      refs: [...new Set(refs.filter((r) => r.table_name === name && r.ref !== name).map((r) => r.ref))],
    };
  });
}

/** Referenced tables first; ties by name, so both databases list the same tables in the same order. */
function orderByReferences(tables: TableInfo[]): TableInfo[] {
  const left = new Map(tables.map((t) => [t.name, t]));
  const out: TableInfo[] = [];
  while (left.size > 0) {
    const ready = [...left.values()].filter((t) => t.refs.every((r) => !left.has(r))).sort((a, b) => a.name.localeCompare(b.name));
    if (ready.length === 0)
      throw new AppError('BACKUP_INVALID', `The tables ${[...left.keys()].join(', ')} reference each other in a cycle: no order to copy them in.`);
    for (const t of ready) {
      out.push(t);
      left.delete(t.name);
    }
  }
  for (const t of out)
    if (t.key.length === 0) throw new AppError('BACKUP_INVALID', `The table ${t.name} has no primary key: its rows have no order to copy and check them in.`);
  return out;
}

/** The migrations this database has had (its ledger, and Kysely's if it was first migrated by Kysely). */
export async function appliedMigrations(query: Query, dialect: Dialect): Promise<string[]> {
  const exists = async (t: string) =>
    dialect === 'postgres'
      ? (await query(`select to_regclass($1)::text as t`, [t]))[0]?.t != null
      : (await query(`select 1 from sqlite_master where type = 'table' and name = ?`, [t])).length > 0;
  const names = new Set<string>();
  for (const t of [LEDGER, 'kysely_migration']) if (await exists(t)) for (const r of await query(`select name from ${q(t)}`)) names.add(String(r.name));
  return [...names].sort((a, b) => a.localeCompare(b));
}
