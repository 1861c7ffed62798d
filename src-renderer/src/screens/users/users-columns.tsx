import type { MouseEvent, ReactNode } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { UnlistedUserField, UserOrderingField, UserRow } from '../../../../src-shared/domain.ts';
import { formatDate, relativeTime } from '../../../../src-shared/dates.ts';
import { Badge, when } from '../../components/ui.tsx';
import { signInText } from '../../stores/users-query.ts';

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

const col = createColumnHelper<UserRow>();

/** A field the server's list does not show, not yet read for this row: said, never shown as empty or "Never". */
function NotListed() {
  return (
    <span className="muted not-listed" title="The server's list does not show this column: Load for these rows reads it.">
      Not listed
    </span>
  );
}

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

/** Last sign-in as "3 days ago" or "5 min ago" (dormancy at a glance); the exact time one hover away. */
function Ago({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">Never</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

/** How the user signs in; where the server does not say, a dash with the reason (never a guess). */
function SignInCell({ row, reason }: { row: UserRow; reason: string }) {
  const text = signInText(row.sign_in);
  if (text === null)
    return (
      <span className="muted" title={reason}>
        <span aria-hidden="true">—</span>
        <span className="sr-only">Not known: {reason}</span>
      </span>
    );
  return <span title={text}>{text}</span>;
}

export function userColumns(actions: {
  toggle(id: number, on: boolean): void;
  open(id: number): void;
  /** Whether this row's field was not read (the page's `unlisted`, the row not read whole since). */
  unread(field: UnlistedUserField, id: number): boolean;
  /** Why a row has no sign-in method: the server's declared reason. */
  signInReason: string;
}) {
  /** The cell of a field a server may not list: "Not listed" until read, then `show` of the value. */
  const listed =
    <F extends UnlistedUserField>(field: F, show: (v: NonNullable<UserRow[F]> | null) => ReactNode) =>
    ({ row }: { row: { original: UserRow } }) =>
      actions.unread(field, row.original.id) ? <NotListed /> : show(row.original[field] as NonNullable<UserRow[F]> | null);
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
      cell: listed('email', (v) => <span title={v ?? ''}>{v || <span className="muted">—</span>}</span>),
    }),
    col.display({
      id: 'sign_in',
      header: 'Sign-in',
      meta: { className: 'sign-in' } satisfies ColumnMeta,
      cell: ({ row }) => <SignInCell row={row.original} reason={actions.signInReason} />,
    }),
    col.accessor('is_staff', {
      header: 'Staff',
      meta: { sort: 'is_staff', className: 'center' } satisfies ColumnMeta,
      cell: listed('is_staff', (v) => <YesNo on={v === true} />),
    }),
    col.accessor('is_superuser', {
      header: 'Superuser',
      meta: { sort: 'is_superuser', className: 'center' } satisfies ColumnMeta,
      cell: listed('is_superuser', (v) => <YesNo on={v === true} />),
    }),
    col.accessor('is_active', {
      header: 'Active',
      meta: { sort: 'is_active' } satisfies ColumnMeta,
      cell: listed('is_active', (v) => <Badge on={v === true}>{v ? 'Active' : 'Inactive'}</Badge>),
    }),
    col.accessor('date_joined', {
      header: 'Date joined',
      meta: { sort: 'date_joined' } satisfies ColumnMeta,
      cell: listed('date_joined', (v) => <Day iso={v} />),
    }),
    col.accessor('last_login', { header: 'Last login', meta: { sort: 'last_login' } satisfies ColumnMeta, cell: listed('last_login', (v) => <Ago iso={v} />) }),
  ];
}
