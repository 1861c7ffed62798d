import type { AdminPage } from './admin-http.ts';
import { attr, byId, classSuffix, descendants, find, findAll, hasClass, text, type Element } from './html.ts';
import { remoteErrors } from './remote-errors.ts';
import { integerId, pkFromChangePath } from './user-ids.ts';
import { utcOffsetOf } from './server-time.ts';

/**
 * One page of a Django admin change list, read by Django's stable markers:
 * the `#result_list` table, `column-<field>` headers, `field-<field>` cells,
 * each row's primary key in its `_selected_action` checkbox (or its change
 * link), the count in `.paginator`, the search box `#searchbar`.
 */
export interface ListColumn {
  field: string;
  /** The index Django's `o` parameter takes for this column; null when it does not sort. */
  orderIndex: number | null;
}

export interface ListRow {
  id: number;
  cells: Map<string, Element>;
}

export interface ChangeListPage {
  count: number;
  rows: ListRow[];
  columns: ListColumn[];
  /** The admin has search_fields (a search box). */
  searchable: boolean;
  /** 1 from Django 3.2 on (`?p=1` is the first page), 0 before; null when the page shows no page links. */
  pageBase: 0 | 1 | null;
  /** The server's offset from UTC now (data-admin-utc-offset, seconds); null when the page does not say. */
  utcOffset: number | null;
}

/** What the console learns about a change list once per session (its columns, page size and paginator). */
export interface ListLayout {
  columns: ListColumn[];
  searchable: boolean;
  /** Django's list_per_page, once a page shows it (a first page with more results after it). */
  perPage: number | null;
  pageBase: 0 | 1;
}

function orderIndexOf(th: Element): number | null {
  if (!hasClass(th, 'sortable')) return null;
  const link = find(th, (e) => e.tagName === 'a' && hasClass(e.parentNode as Element, 'text'));
  const o = link ? new URLSearchParams((attr(link, 'href') ?? '').replace(/^[^?]*\??/, '')).get('o') : null;
  const first = o?.split('.')[0]?.replace('-', '');
  return first && /^\d+$/.test(first) ? Number(first) : null;
}

/** A row's primary key as Django wrote it: its `_selected_action` checkbox, or its change link (`…/<quoted pk>/change/`). */
function rowPk(tr: Element): string | null {
  const box = find(tr, (e) => e.tagName === 'input' && attr(e, 'name') === '_selected_action');
  const value = box ? attr(box, 'value') : null;
  if (value) return value;
  const link = find(tr, (e) => e.tagName === 'a' && /\/[^/?#]+\/change\/?(\?|$)/.test(attr(e, 'href') ?? ''));
  return link ? pkFromChangePath(new URL(attr(link, 'href')!, 'http://x/').pathname) : null;
}

/** The count in the paginator: its text once the page links and "Show all" are taken out ("10001 users"). */
function countOf(root: Element): number | null {
  const paginator = find(root, (e) => hasClass(e, 'paginator'));
  if (!paginator) return null;
  const skip = new Set(findAll(paginator, (e) => e.tagName === 'a' || hasClass(e, 'this-page') || e.tagName === 'input'));
  let rest = '';
  const walk = (e: Element) => {
    for (const c of e.childNodes) {
      if (c.nodeName === '#text') rest += ` ${(c as unknown as { value: string }).value}`;
      else if ('tagName' in c && !skip.has(c as Element)) walk(c as Element);
    }
  };
  walk(paginator);
  const m = /(\d[\d,.\u00a0\u202f']*)/.exec(rest.replace(/…/g, ' '));
  return m ? Number(m[1]!.replace(/\D/g, '')) : null;
}

function pageBaseOf(root: Element): 0 | 1 | null {
  const paginator = find(root, (e) => hasClass(e, 'paginator'));
  for (const a of paginator ? findAll(paginator, (e) => e.tagName === 'a') : []) {
    const p = new URLSearchParams((attr(a, 'href') ?? '').replace(/^[^?]*\??/, '')).get('p');
    const shown = text(a);
    if (p && /^\d+$/.test(p) && /^\d+$/.test(shown)) return Number(shown) === Number(p) ? 1 : 0;
  }
  return null;
}

/** `idOf`: the console's id for a row's primary key (see user-ids.ts). */
export function readChangeList(page: AdminPage, host: string, idOf: (pk: string) => number = integerId): ChangeListPage {
  const root = page.html;
  const table = byId(root, 'result_list');
  const rows: ListRow[] = [];
  const columns: ListColumn[] = [];
  if (table) {
    for (const th of findAll(table, (e) => e.tagName === 'th' && attr(e, 'scope') === 'col')) {
      const field = classSuffix(th, 'column-');
      if (field) columns.push({ field, orderIndex: orderIndexOf(th) });
    }
    const body = find(table, (e) => e.tagName === 'tbody');
    for (const tr of body ? findAll(body, (e) => e.tagName === 'tr') : []) {
      const pk = rowPk(tr);
      // A row that names no user would make the count and the rows disagree without a word.
      if (pk === null) throw remoteErrors.unexpected(host, 'a row of its user list that links to no user');
      const id = idOf(pk);
      const cells = new Map<string, Element>();
      for (const cell of descendants(tr)) {
        const field = (cell.tagName === 'td' || cell.tagName === 'th') && classSuffix(cell, 'field-');
        if (field) cells.set(field, cell);
      }
      rows.push({ id, cells });
    }
  }
  const counted = countOf(root);
  // With no rows Django shows no table, and "0 users" in the paginator.
  if (counted === null && !table && !find(root, (e) => hasClass(e, 'paginator'))) throw remoteErrors.unexpected(host, 'its user list');
  return {
    count: counted ?? rows.length,
    rows,
    columns,
    searchable: byId(root, 'searchbar') !== null,
    pageBase: pageBaseOf(root),
    utcOffset: utcOffsetOf(root),
  };
}

/** Django's empty_value_display ("-") or nothing at all. */
export const isEmpty = (t: string) => t === '' || t === '-';

/** A boolean cell: Django's icon, whose alt text is "True", "False" or "None". */
export function booleanCell(cell: Element): boolean | null {
  const img = find(cell, (e) => e.tagName === 'img' && attr(e, 'alt') !== null);
  const alt = img ? attr(img, 'alt') : text(cell);
  if (alt === 'True') return true;
  if (alt === 'False') return false;
  return null;
}
