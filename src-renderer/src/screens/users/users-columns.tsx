import type { MouseEvent } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { User, UserOrderingField } from '../../../../src-shared/domain.ts';
import { formatDate } from '../../../../src-shared/dates.ts';
import { Badge, when } from '../../components/ui.tsx';

/**
 * Widths are fixed (table-layout: fixed) so columns never shift when another
 * page of rows arrives; they live in styles.css by column class (`c-<id>`),
 * where narrow windows give the low-value columns less first.
 */
export interface ColumnMeta {
  /** The server's ordering field; absent for columns that do not sort. */
  sort?: UserOrderingField;
  className?: string;
}

const col = createColumnHelper<User>();

function YesNo({ on }: { on: boolean }) {
  return on ? (
    <span className="yes">
      <span aria-hidden="true">✓</span>
      <span className="sr-only">Yes</span>
    </span>
  ) : (
    <span className="muted">
      <span aria-hidden="true">—</span>
      <span className="sr-only">No</span>
    </span>
  );
}

/** The day fits the column; the time is one hover away (the whole `when()` as the title). */
function Day({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">Never</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {formatDate(iso, { time: false })}
    </time>
  );
}

export function userColumns(actions: {
  toggle(id: number, on: boolean): void;
  open(id: number): void;
}) {
  // A real link (the editor's own address), so Enter opens it and it reads as navigation; the click stays in the app's router.
  const openLink = (id: number) => (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    actions.open(id);
  };
  return [
    col.display({
      id: 'select',
      meta: { className: 'check-cell' } satisfies ColumnMeta,
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select ${row.original.username}`}
          checked={row.getIsSelected()}
          onChange={(e) => actions.toggle(row.original.id, e.target.checked)}
        />
      ),
    }),
    col.accessor('username', {
      header: 'Username',
      meta: { sort: 'username', className: 'cell-id' } satisfies ColumnMeta,
      cell: ({ row, getValue }) => (
        <a className="row-link" href={`#/users/${row.original.id}`} onClick={openLink(row.original.id)} title={getValue()}>
          {getValue()}
        </a>
      ),
    }),
    col.accessor('email', {
      header: 'Email',
      meta: { sort: 'email', className: 'cell-id' } satisfies ColumnMeta,
      cell: ({ getValue }) => <span title={getValue() ?? ''}>{getValue() || <span className="muted">—</span>}</span>,
    }),
    col.accessor('is_staff', { header: 'Staff', meta: { sort: 'is_staff', className: 'center' } satisfies ColumnMeta, cell: ({ getValue }) => <YesNo on={getValue()} /> }),
    col.accessor('is_superuser', {
      header: 'Superuser',
      meta: { sort: 'is_superuser', className: 'center' } satisfies ColumnMeta,
      cell: ({ getValue }) => <YesNo on={getValue()} />,
    }),
    col.accessor('is_active', {
      header: 'Active',
      meta: { sort: 'is_active' } satisfies ColumnMeta,
      cell: ({ getValue }) => <Badge on={getValue()}>{getValue() ? 'Active' : 'Inactive'}</Badge>,
    }),
    col.accessor('date_joined', { header: 'Date joined', meta: { sort: 'date_joined' } satisfies ColumnMeta, cell: ({ getValue }) => <Day iso={getValue()} /> }),
    col.accessor('last_login', { header: 'Last login', meta: { sort: 'last_login' } satisfies ColumnMeta, cell: ({ getValue }) => <Day iso={getValue()} /> }),
  ];
}
