import { useId } from 'react';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { PAGE_SIZES, pageCount, pageSummary } from '../../stores/users-query.ts';

/** Previous / next, where we are, and how many rows a page holds. */
export function UsersPager() {
  const query = useUsers((s) => s.query);
  const count = useUsers((s) => s.count);
  const estimated = useUsers((s) => s.estimated);
  const full = useUsers((s) => s.results.length >= s.query.page_size);
  const loaded = useUsers((s) => s.loaded);
  const id = useId();
  const last = pageCount(count, query.page_size);
  // Back to the top: "Next page" sits under the last row, and the next page starts at the first.
  const go = (page: number, at: HTMLElement) => {
    usersStore.getState().setPage(page);
    at.closest('main')?.scrollTo({ top: 0 });
  };
  return (
    <nav className="pager" aria-label="Pages">
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
      <span aria-live="polite" className="pager-summary">
        {loaded ? pageSummary(query.page, count, query.page_size, estimated) : '\u00a0'}
      </span>
      <div className="pager-buttons">
        <button type="button" className="secondary small" disabled={query.page <= 1} onClick={(e) => go(query.page - 1, e.currentTarget)}>
          Previous page
        </button>
        <button type="button" className="secondary small" disabled={estimated ? !full : query.page >= last} onClick={(e) => go(query.page + 1, e.currentTarget)}>
          Next page
        </button>
      </div>
    </nav>
  );
}
