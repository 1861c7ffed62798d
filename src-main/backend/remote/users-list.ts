import type { MatchingUserIds, Page, User, UserQuery } from '../../../src-shared/domain.ts';
import { booleanCell, type ChangeListPage, type ListRow } from './change-list.ts';
import { DATE_ORACLE_REQUESTS, datesByFilters } from './date-oracle.ts';
import { text } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { isoFromDisplay } from './server-time.ts';
import { listParams } from './list-params.ts';

/**
 * The Users manager's page from a Django admin change list.
 *
 * Requests per page, whatever its size:
 * - the rows: one change-list page (two when the console's page straddles two
 *   of Django's `list_per_page` pages); every column the admin lists is read
 *   from it;
 * - a flag the admin does not list (staff, superuser, active): one filtered
 *   change list each (the page's ids and `is_active__exact=1`);
 * - a date it does not list: the bit-by-bit filters of date-oracle.ts (34),
 *   unless reading the rows' change forms costs fewer requests;
 * - an email (or username) it does not list: Django's admin has no bulk
 *   source for a text field, so each row's change form is read.
 */
const FLAGS = ['is_staff', 'is_superuser', 'is_active'] as const;
const DATES = ['date_joined', 'last_login'] as const;
const TEXTS = ['username', 'email'] as const;
/** What is known of a row so far: a field absent (undefined) is still to be read. */
type Known = { id: number } & Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 50;

function fromCells(row: ListRow, utcOffset: number): Known {
  const known: Known = { id: row.id };
  const cell = (f: string) => row.cells.get(f);
  for (const f of TEXTS) {
    const c = cell(f);
    if (c) known[f] = text(c) === '' || (f === 'email' && text(c) === '-') ? (f === 'email' ? null : '') : text(c);
  }
  for (const f of FLAGS) {
    const c = cell(f);
    const v = c ? booleanCell(c) : null;
    if (v !== null) known[f] = v;
  }
  for (const f of DATES) {
    const c = cell(f);
    if (!c) continue;
    const shown = text(c);
    if (shown === '' || shown === '-') known[f] = null;
    else {
      const iso = isoFromDisplay(shown, utcOffset);
      if (iso) known[f] = iso;
    }
  }
  return known;
}

/** The rows of the console's page: Django pages k..m of `perPage` rows, sliced to the requested window. */
async function rowsFor(ctx: RemoteContext, params: URLSearchParams, offset: number, size: number): Promise<{ count: number; rows: ListRow[]; utcOffset: number }> {
  const fetchPage = (k: number) => {
    const p = new URLSearchParams(params);
    if (k > 0) p.set('p', String(k + (ctx.layout?.pageBase ?? 1)));
    return ctx.changeList(p);
  };
  let first: ChangeListPage | null = null;
  if (!ctx.layout?.perPage || offset === 0) first = await fetchPage(0);
  const perPage = ctx.layout?.perPage ?? Math.max(first?.rows.length ?? 1, 1);
  const from = Math.floor(offset / perPage);
  const to = Math.floor((offset + size - 1) / perPage);
  const pages = new Map<number, ChangeListPage | null>(first ? [[0, first]] : []);
  if (!first || first.count > first.rows.length) {
    await Promise.all(Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((k) => !pages.has(k)).map(async (k) => pages.set(k, await fetchPage(k))));
  }
  const any = [...pages.values()].find((p): p is ChangeListPage => p !== null) ?? (await fetchPage(0))!;
  const rows: ListRow[] = [];
  for (let k = from; k <= to; k++) {
    const page = pages.get(k);
    if (!page) continue;
    const start = k * perPage;
    rows.push(...page.rows.filter((_, i) => start + i >= offset && start + i < offset + size));
  }
  return { count: any.count, rows, utcOffset: any.utcOffset };
}

/** The ids among `ids` matching extra lookups: the admin's own filtering, every matching row on one page (`all`). */
function idsMatching(ctx: RemoteContext, ids: readonly number[]) {
  return async (extra: Record<string, string>): Promise<Set<number>> => {
    const p = new URLSearchParams({ id__in: ids.join(','), all: '', ...extra });
    const page = await ctx.changeList(p);
    return new Set(page?.rows.map((r) => r.id) ?? []);
  };
}

const EVERY: readonly string[] = [...TEXTS, ...FLAGS, ...DATES];
const incomplete = (k: Known) => EVERY.some((f) => k[f] === undefined);

async function fill(ctx: RemoteContext, known: Known[], utcOffset: number): Promise<User[]> {
  const missing = (fields: readonly string[]) => fields.filter((f) => known.some((k) => k[f] === undefined));
  const [texts, flags, dates] = [missing(TEXTS), missing(FLAGS), missing(DATES)];
  if (!texts.length && !flags.length && !dates.length) return known as unknown as User[];
  // Whichever costs fewer requests: the change forms of the rows that lack something, or the filters.
  const viaFilters = flags.length + dates.length * DATE_ORACLE_REQUESTS;
  if (texts.length || known.filter(incomplete).length <= viaFilters) {
    return Promise.all(known.map((k) => (incomplete(k) ? ctx.getUser(k.id) : (k as unknown as User))));
  }
  const ids = known.map((k) => k.id);
  const matching = idsMatching(ctx, ids);
  await Promise.all([
    ...flags.map(async (f) => {
      const on = await matching({ [`${f}__exact`]: '1' });
      for (const k of known) k[f] = on.has(k.id);
    }),
    ...dates.map(async (f) => {
      const values = await datesByFilters(f, ids, utcOffset, matching);
      for (const k of known) if (k[f] === undefined) k[f] = values.get(k.id);
    }),
  ]);
  // A date out of the years the filters read (before 2000): that row's change form says it.
  return Promise.all(known.map((k) => (incomplete(k) ? ctx.getUser(k.id) : (k as unknown as User))));
}

/** The change list's query string for the Users manager's query, once the list's layout is known. */
async function paramsFor(ctx: RemoteContext, q: Omit<UserQuery, 'page' | 'page_size'>): Promise<URLSearchParams> {
  if (!ctx.layout) await ctx.changeList(new URLSearchParams());
  return listParams(q, ctx.layout, q.search?.trim() ? await ctx.searchesUsernames() : false, ctx.host);
}

export async function listUsers(ctx: RemoteContext, q: UserQuery): Promise<Page<User>> {
  const size = q.page_size ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  const params = await paramsFor(ctx, q);
  const { count, rows, utcOffset } = await rowsFor(ctx, params, (page - 1) * size, size);
  const known = rows.map((r) => fromCells(r, utcOffset));
  const results = await fill(ctx, known, utcOffset);
  return { count, page, page_size: size, results };
}

/**
 * The ids of the users a query matches, in its order: Django's change list
 * pages walked one after another (each row's `_selected_action` id), until
 * `limit` ids or the last page. The count is the paginator's, or what was
 * read when every page was (a user added or removed meanwhile cannot then
 * make the two disagree). One page at a time: a Graphistry is not to be
 * flooded for what is a single click.
 */
export async function listUserIds(ctx: RemoteContext, q: Omit<UserQuery, 'page' | 'page_size'>, limit: number): Promise<MatchingUserIds> {
  const params = await paramsFor(ctx, q);
  // A Set: a row moved by a write between two pages would otherwise show up twice.
  const ids = new Set<number>();
  let count = 0;
  let seen = 0;
  let ended = false;
  for (let k = 0; ids.size < limit; k++) {
    const p = new URLSearchParams(params);
    if (k > 0) p.set('p', String(k + (ctx.layout?.pageBase ?? 1)));
    // Null: Django sent us past its last page.
    const page = await ctx.changeList(p);
    if (k === 0) count = page?.count ?? 0;
    for (const row of page?.rows ?? []) ids.add(row.id);
    seen += page?.rows.length ?? 0;
    if (!page || page.rows.length === 0 || seen >= page.count) {
      ended = true;
      break;
    }
  }
  const first = [...ids].slice(0, limit);
  return { count: ended ? ids.size : Math.max(count, first.length), ids: first };
}

/** The signed-in admin's own account: found by exact username, then read from its change form. */
export async function findByUsername(ctx: RemoteContext, username: string): Promise<User | null> {
  const page = await ctx.changeList(new URLSearchParams({ username__exact: username }));
  const row = page?.rows[0];
  return row ? ctx.getUser(row.id) : null;
}

