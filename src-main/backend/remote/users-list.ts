import type { MatchingUserIds, UnlistedUserField, User, UserPage, UserQuery, UserRow, UsersRead } from '../../../src-shared/domain.ts';
import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { booleanCell, isEmpty, type ChangeListPage, type ListColumn, type ListRow } from './change-list.ts';
import { text } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { listParams } from './list-params.ts';
import { DATES, dateColumn } from './list-dates.ts';

/**
 * The Users manager's page from a Django admin change list, in a bounded
 * number of requests whatever its size:
 * - the rows: one change-list page (two when the console's page straddles
 *   two of Django's `list_per_page` pages); every column the admin lists is
 *   read from it, dates by the admin's own format (admin-formats.ts, one
 *   request a session) and placed in time by its time zone (server-time.ts:
 *   no request, or a few a session to tell which zone it is);
 * - a flag the admin does not list (staff, superuser, active): one filtered
 *   change list each, the page's ids and `is_active__exact=1`. Read a moment
 *   after the rows, so a flag changed in between shows its newer value: the
 *   server's true value at that moment, never a guess, and a flag is one
 *   fact on its own (nothing else on the row is computed from it);
 * - an email or a date it does not list, or lists in a way the console
 *   cannot read: not read. The page names it in `unlisted` and its values
 *   are null; `getUsers` reads those rows whole, each from its change form,
 *   when the admin asks (a request per row, so never unasked).
 */
const FLAGS = ['is_staff', 'is_superuser', 'is_active'] as const;

const DEFAULT_PAGE_SIZE = 50;

interface Rows {
  count: number;
  rows: ListRow[];
  columns: ListColumn[];
  utcOffset: number | null;
}

/** The rows of the console's page: Django pages k..m of `perPage` rows, sliced to the requested window. */
async function rowsFor(ctx: RemoteContext, params: URLSearchParams, offset: number, size: number): Promise<Rows> {
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
    await Promise.all(
      Array.from({ length: to - from + 1 }, (_, i) => from + i)
        .filter((k) => !pages.has(k))
        .map(async (k) => pages.set(k, await fetchPage(k))),
    );
  }
  const any = [...pages.values()].find((p): p is ChangeListPage => p !== null) ?? (await fetchPage(0))!;
  const rows: ListRow[] = [];
  for (let k = from; k <= to; k++) {
    const page = pages.get(k);
    if (!page) continue;
    const start = k * perPage;
    rows.push(...page.rows.filter((_, i) => start + i >= offset && start + i < offset + size));
  }
  // With no rows Django shows no table, hence no columns: the layout learnt earlier says them.
  const columns = any.columns.length ? any.columns : (ctx.layout?.columns ?? []);
  return { count: any.count, rows, columns, utcOffset: any.utcOffset };
}

/** The ids among `ids` matching extra lookups: the admin's own filtering, every matching row on one page (`all`). */
async function idsMatching(ctx: RemoteContext, ids: readonly number[], extra: Record<string, string>): Promise<Set<number>> {
  const page = await ctx.changeList(new URLSearchParams({ id__in: ids.join(','), all: '', ...extra }));
  return new Set(page?.rows.map((r) => r.id) ?? []);
}

export async function listUsers(ctx: RemoteContext, q: UserQuery): Promise<UserPage> {
  const size = q.page_size ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  const params = await paramsFor(ctx, q);
  const { count, rows, columns, utcOffset } = await rowsFor(ctx, params, (page - 1) * size, size);
  const listed = new Set(columns.map((c) => c.field));
  // A list without usernames names its rows by nothing the console shows: read them whole (bounded by the page size).
  if (!listed.has('username') && rows.length)
    return { count, page, page_size: size, results: await Promise.all(rows.map((r) => ctx.getUser(r.id))), unlisted: [] };

  const results: UserRow[] = rows.map((r) => ({
    id: r.id,
    username: text(r.cells.get('username')!),
    email: null,
    is_active: null,
    is_staff: null,
    is_superuser: null,
    date_joined: null,
    last_login: null,
  }));
  const unlisted: UnlistedUserField[] = [];
  const ids = rows.map((r) => r.id);

  if (listed.has('email')) rows.forEach((r, i) => (results[i]!.email = isEmpty(text(r.cells.get('email')!)) ? null : text(r.cells.get('email')!)));
  else unlisted.push('email');

  await Promise.all([
    ...FLAGS.map(async (f) => {
      const cells = listed.has(f) ? rows.map((r) => booleanCell(r.cells.get(f)!)) : null;
      if (cells && cells.every((c) => c !== null)) {
        cells.forEach((c, i) => (results[i]![f] = c));
        return;
      }
      if (!ids.length) return;
      const on = await idsMatching(ctx, ids, { [`${f}__exact`]: '1' });
      for (const u of results) u[f] = on.has(u.id);
    }),
    ...DATES.map(async (f) => {
      const values = listed.has(f) && rows.length ? await dateColumn(ctx, rows, f, utcOffset) : null;
      if (values) values.forEach((v, i) => (results[i]![f] = v));
      else if (!listed.has(f) || rows.length) unlisted.push(f);
    }),
  ]);
  unlisted.sort((a, b) => UNLISTED_ORDER.indexOf(a) - UNLISTED_ORDER.indexOf(b));
  return { count, page, page_size: size, results, ...(unlisted.length ? { unlisted } : {}) };
}

const UNLISTED_ORDER: readonly UnlistedUserField[] = ['email', ...FLAGS, ...DATES];

/**
 * Users read whole, each from its own change form (what the admin shows for
 * one user, read in one request, so every field of a row is of one moment):
 * the Users manager's "Load for these rows". A user gone meanwhile is in
 * `failed`; any other failure ends the call.
 */
export async function getUsers(ctx: RemoteContext, ids: readonly number[]): Promise<UsersRead> {
  const out: UsersRead = { users: [], failed: [] };
  const read = await Promise.all(
    ids.map((id) =>
      ctx.getUser(id).then(
        (user): User | ConsoleFailure => user,
        (e: unknown) => {
          if (e instanceof ConsoleFailure && e.error.code === 'NOT_FOUND') return e;
          throw e;
        },
      ),
    ),
  );
  read.forEach((r, i) =>
    r instanceof ConsoleFailure ? out.failed.push({ id: ids[i]!, code: r.error.serverCode ?? r.error.code, message: r.error.message }) : out.users.push(r),
  );
  return out;
}

/** The change list's query string for the Users manager's query, once the list's layout is known. */
async function paramsFor(ctx: RemoteContext, q: Omit<UserQuery, 'page' | 'page_size'>): Promise<URLSearchParams> {
  if (!ctx.layout) await ctx.changeList(new URLSearchParams());
  return listParams(q, ctx.layout, q.search?.trim() ? await ctx.searchesUsernames() : false, ctx.host);
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
