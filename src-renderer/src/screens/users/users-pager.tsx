import { useEffect, useId, useState } from 'react';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { PAGE_SIZES, pageCount, pageSummary } from '../../stores/users-query.ts';

/** Go to a page and back to the top of the list (the new page starts at its first row). */
function go(page: number) {
  usersStore.getState().setPage(page);
  document.querySelector('main')?.scrollTo({ top: 0 });
}

/** `[` and `]` page back and forward from anywhere on the Users screen but a field or a dialog. */
export function usePagingKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if ((e.key !== '[' && e.key !== ']') || e.ctrlKey || e.metaKey || e.altKey || t?.closest('input, select, textarea, [contenteditable], dialog')) return;
      const { query, count, estimated, results } = usersStore.getState();
      const last = pageCount(count, query.page_size);
      const next = e.key === ']' ? query.page + 1 : query.page - 1;
      if (next < 1 || (estimated ? results.length < query.page_size && e.key === ']' : next > last)) return;
      e.preventDefault();
      go(next);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** A page number to type: Enter (or leaving the field) goes there; anything past the ends goes to the end. */
function PageField({ page, last, estimated }: { page: number; last: number; estimated: boolean }) {
  const id = useId();
  const [text, setText] = useState(String(page));
  useEffect(() => setText(String(page)), [page]);
  const commit = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1 && n !== page) go(n);
    else setText(String(page));
  };
  return (
    <span className="page-field">
      <label htmlFor={id}>Page</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={estimated ? undefined : last}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), commit())}
        onBlur={commit}
      />
      <span>
        of {estimated ? 'about ' : ''}
        {last.toLocaleString('en-US')}
      </span>
    </span>
  );
}

/**
 * Where we are and every way to move: first, previous, a page number, next,
 * last, and how many rows a page holds. Above the table, so it is a few Tabs
 * from the search box rather than past every row.
 */
export function UsersPager() {
  const query = useUsers((s) => s.query);
  const count = useUsers((s) => s.count);
  const estimated = useUsers((s) => s.estimated);
  const full = useUsers((s) => s.results.length >= s.query.page_size);
  const loaded = useUsers((s) => s.loaded);
  const id = useId();
  const last = pageCount(count, query.page_size);
  const atEnd = estimated ? !full : query.page >= last;
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite" className="pager-summary">
        {loaded ? pageSummary(query.page, count, query.page_size, estimated) : '\u00a0'}
      </span>
      <div className="pager-buttons">
        <button type="button" className="secondary small" aria-label="First page" disabled={query.page <= 1} onClick={() => go(1)}>
          « First
        </button>
        <button
          type="button"
          className="secondary small"
          aria-label="Previous page"
          aria-keyshortcuts="["
          title="Previous page ( [ )"
          disabled={query.page <= 1}
          onClick={() => go(query.page - 1)}
        >
          ‹ Previous
        </button>
        <PageField page={query.page} last={last} estimated={estimated} />
        <button
          type="button"
          className="secondary small"
          aria-label="Next page"
          aria-keyshortcuts="]"
          title="Next page ( ] )"
          disabled={atEnd}
          onClick={() => go(query.page + 1)}
        >
          Next ›
        </button>
        {/* An estimated count names no sure last page. */}
        <button type="button" className="secondary small" aria-label="Last page" disabled={estimated || query.page >= last} onClick={() => go(last)}>
          Last »
        </button>
      </div>
      <div className="pager-size">
        <label htmlFor={id}>Rows per page</label>
        <select id={id} value={query.page_size} onChange={(e) => usersStore.getState().setPageSize(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
    </nav>
  );
}
