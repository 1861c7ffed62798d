import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { flexRender, getCoreRowModel, useReactTable, type RowSelectionState, type SortingState } from '@tanstack/react-table';
import { useApp } from '../../stores/app-store.ts';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { sortDirection } from '../../stores/users-query.ts';
import { userColumns, type ColumnMeta } from './users-columns.tsx';
import { useConnection } from '../../lib/use-connection.ts';
import { useNotOffered } from '../../components/not-offered.tsx';
import type { UserRow } from '../../../../src-shared/domain.ts';

const NONE: UserRow[] = [];

const SKELETON_ROWS = 10;

function PageCheckbox(props: { checked: boolean; some: boolean; disabled: boolean; onChange(on: boolean): void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.some && !props.checked;
  }, [props.some, props.checked]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all on this page"
      checked={props.checked}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.checked)}
    />
  );
}

/**
 * One page of users, as the server sorted it (manual sorting and paging: the
 * table never sees more than the rows on screen). While the next page loads
 * the current rows stay, dimmed, so nothing jumps.
 */
export function UsersTable({ empty }: { empty: ReactNode }) {
  // Rows are shown only under the connection they were loaded from: not one frame of another server's users.
  const mine = useUsers((s) => s.connection) === useConnection();
  const rows = useUsers((s) => s.results);
  const results = mine ? rows : NONE;
  const count = useUsers((s) => s.count);
  const query = useUsers((s) => s.query);
  const loading = useUsers((s) => s.loading);
  const loaded = useUsers((s) => s.loaded) && mine;
  const selected = useUsers((s) => s.selected);
  const navigate = useApp((s) => s.navigate);
  // A Graphistry's admin sorts only by the columns its own list shows.
  const sortable = useApp((s) => s.status?.capabilities?.sortable ?? null);
  const signInReason = useNotOffered('sign_in_method') ?? 'This server does not say how its users sign in.';

  const columns = useMemo(
    () =>
      userColumns({
        toggle: (id, on) => usersStore.getState().toggleSelected(id, on),
        open: (id) => navigate({ name: 'user', id }),
        // Read when a cell renders: `unlisted` and `whole` change with the rows, which re-render the table.
        unread: (field, id) => {
          const s = usersStore.getState();
          return s.unlisted.includes(field) && !s.whole.has(id);
        },
        signInReason,
      }),
    [navigate, signInReason],
  );
  const rowSelection = useMemo<RowSelectionState>(() => Object.fromEntries([...selected].map((id) => [String(id), true])), [selected]);
  const sorting = useMemo<SortingState>(() => [{ id: query.ordering.replace(/^-/, ''), desc: query.ordering.startsWith('-') }], [query.ordering]);

  const table = useReactTable({
    data: results,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (u) => String(u.id),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    rowCount: count,
    enableRowSelection: true,
    state: { rowSelection, sorting, pagination: { pageIndex: query.page - 1, pageSize: query.page_size } },
  });

  const stale = loading && loaded;
  return (
    <div className="table-wrap">
      <table className="users-table" aria-busy={loading || undefined} aria-label="Users">
        <colgroup>
          {table.getVisibleLeafColumns().map((c) => (
            <col key={c.id} className={`c-${c.id}`} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((h) => {
                const meta = h.column.columnDef.meta as ColumnMeta | undefined;
                if (h.column.id === 'select') {
                  return (
                    <th key={h.id} className="check-cell">
                      <PageCheckbox
                        checked={table.getIsAllPageRowsSelected()}
                        some={table.getIsSomePageRowsSelected()}
                        disabled={results.length === 0}
                        onChange={(on) => usersStore.getState().selectPage(on)}
                      />
                    </th>
                  );
                }
                const sorts = meta?.sort && (!sortable || sortable.includes(meta.sort)) ? meta.sort : undefined;
                const dir = sorts ? sortDirection(query.ordering, sorts) : false;
                const label = flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th
                    key={h.id}
                    className={meta?.className}
                    aria-sort={sorts ? (dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none') : undefined}
                  >
                    {sorts ? (
                      <button type="button" className={`sort ${dir || ''}`} onClick={() => usersStore.getState().toggleSort(sorts)}>
                        {label}
                        <span className="sort-arrow" aria-hidden="true">
                          {dir === 'desc' ? '▼' : '▲'}
                        </span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className={stale ? 'stale' : undefined}>
          {!loaded
            ? Array.from({ length: SKELETON_ROWS }, (_, i) => (
                <tr key={i} className="skeleton" aria-hidden="true">
                  {columns.map((c, j) => (
                    <td key={j}>{j === 0 ? null : <span className="bone" />}</td>
                  ))}
                </tr>
              ))
            : null}
          {loaded && results.length === 0 ? (
            <tr className="empty-row">
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : null}
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className={row.getIsSelected() ? 'selected' : undefined}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={(cell.column.columnDef.meta as ColumnMeta | undefined)?.className}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
