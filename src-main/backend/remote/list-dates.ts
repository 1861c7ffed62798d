import type { AdminFormats } from './admin-formats.ts';
import { isEmpty, type ChangeListPage, type ListRow } from './change-list.ts';
import type { WallTime } from './date-reading.ts';
import { text } from './html.ts';
import type { ShownDate } from './server-time.ts';

/** The user's dates a change list may show. */
export const DATES = ['date_joined', 'last_login'] as const;
export type ListedDate = (typeof DATES)[number];

/** What reading a list's dates asks of the connection (the remote context gives it). */
export interface DateSource {
  changeList(params: URLSearchParams): Promise<ChangeListPage | null>;
  formats(): Promise<AdminFormats>;
  instants(dates: readonly ShownDate[], offsetNow: number | null): Promise<string[]>;
}

/**
 * One date column of the list, as instants; null when any of its cells does
 * not read under the admin's own format (the column is then not read at
 * all, rather than read in part).
 */
export async function dateColumn(ctx: DateSource, rows: ListRow[], field: ListedDate, utcOffset: number | null): Promise<Array<string | null> | null> {
  const display = (await ctx.formats()).display;
  if (!display) return null;
  const shown: Array<WallTime | null> = [];
  for (const row of rows) {
    const t = text(row.cells.get(field)!);
    if (isEmpty(t) && field === 'last_login') shown.push(null);
    else {
      const read = display.parse(t);
      if (!read) return null;
      shown.push(read);
    }
  }
  const dates: ShownDate[] = [];
  rows.forEach((r, i) => shown[i] && dates.push({ id: r.id, field, time: shown[i]! }));
  const instants = await ctx.instants(dates, utcOffset);
  let k = 0;
  return shown.map((s) => (s ? instants[k++]! : null));
}

/** A date of one user from the change list, for a change form that does not show it: null when the list does not show it either. */
export async function listedDate(ctx: DateSource, id: number, field: ListedDate): Promise<{ value: string | null } | null> {
  const page = await ctx.changeList(new URLSearchParams({ id__in: String(id), all: '' }));
  const row = page?.rows.find((r) => r.id === id);
  if (!page || !row || !row.cells.has(field)) return null;
  const values = await dateColumn(ctx, [row], field, page.utcOffset);
  return values ? { value: values[0]! } : null;
}
