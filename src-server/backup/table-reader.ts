import type { Dialect } from '../db/schema.ts';
import { canonicalRow, type CanonicalValue } from './canonical.ts';
import { q, type Query, type TableInfo } from './catalog.ts';

/**
 * A table's rows in the canonical order (primary key; text bytewise, which
 * PostgreSQL is told with collate "C"), a page at a time by key (never the
 * whole table in memory, and no page re-reads the ones before it).
 */
export async function* readTable(query: Query, dialect: Dialect, t: TableInfo, pageSize = 2000): AsyncGenerator<CanonicalValue[][]> {
  const keyExpr = (c: string) => (dialect === 'postgres' && t.textKey.includes(c) ? `${q(c)} collate "C"` : q(c));
  const order = t.key.map(keyExpr).join(', ');
  const select = `select ${t.columns.map(q).join(', ')} from ${q(t.name)}`;
  const keyIndex = t.key.map((k) => t.columns.indexOf(k));
  let after: CanonicalValue[] | null = null;
  for (;;) {
    let text = select;
    const params: unknown[] = [];
    if (after) {
      const marks = after.map((v, i) => {
        params.push(v);
        return dialect === 'postgres' ? `$${i + 1}` : '?';
      });
      text += ` where (${t.key.map(keyExpr).join(', ')}) > (${marks.join(', ')})`;
    }
    text += ` order by ${order} limit ${pageSize}`;
    const rows = (await query(text, params)).map((r) => canonicalRow(r, t.columns, t.name));
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = keyIndex.map((i) => last[i]!);
  }
}

export async function countRows(query: Query, t: TableInfo): Promise<number> {
  return Number((await query(`select count(*) as n from ${q(t.name)}`))[0]?.n ?? 0);
}
