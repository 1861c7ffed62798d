import { useReloads } from '../../lib/use-reloads.ts';
import { useUsersAddress } from './use-users-address.ts';
import { EmptyState, ErrorBanner } from '../../components/ui.tsx';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { hasFilters, userCount } from '../../stores/users-query.ts';
import { FreshKeyNotice } from '../user-editor/fresh-key-notice.tsx';
import { UserModelNotes } from '../user-editor/account-fields.tsx';
import { UsersToolbar } from './users-toolbar.tsx';
import { UsersTable } from './users-table.tsx';
import { UsersPager, usePagingKeys } from './users-pager.tsx';
import { BulkActions } from './bulk-actions.tsx';
import { UnlistedNote } from './unlisted-note.tsx';
import { ExportUsers } from './export-users.tsx';

/** The Users manager: search, filter, sort and page on the server; select rows to activate or deactivate them. */
export function UsersScreen() {
  const navigate = useApp((s) => s.navigate);
  const count = useUsers((s) => s.count);
  const estimated = useUsers((s) => s.estimated);
  const loaded = useUsers((s) => s.loaded);
  const error = useUsers((s) => s.error);
  const filtered = useUsers((s) => hasFilters(s.query));
  useTitle('Users');
  usePagingKeys();

  // Every visit asks again (the editor, another admin or the CLI may have changed users since), and so does
  // clicking Users again, coming back to the window, or Refresh.
  useUsersAddress();
  useReloads(() => void usersStore.getState().load());

  const empty = filtered ? (
    <EmptyState title="No users match">
      <p>Nothing matches this search and these filters.</p>
      <button type="button" className="secondary" onClick={() => usersStore.getState().clearFilters()}>
        Clear filters
      </button>
    </EmptyState>
  ) : (
    <EmptyState title="No users yet">
      <button type="button" onClick={() => navigate({ name: 'user', id: 'new' })}>
        Add user
      </button>
    </EmptyState>
  );

  return (
    <section className="users-screen">
      <div className="page-head">
        <div className="head-title">
          <h1>Users</h1>
          <span className="head-count" aria-live="polite">
            {loaded && !error ? `${userCount(count, estimated)}${filtered ? ' match' : ''}` : ''}
          </span>
        </div>
        <div className="actions head-actions">
          <ExportUsers />
          <button type="button" onClick={() => navigate({ name: 'user', id: 'new' })}>
            Add user
          </button>
        </div>
      </div>
      <FreshKeyNotice />
      <UserModelNotes />
      <UsersToolbar />
      {/* On a failed load the old rows would sit under a search they do not match: show only the error. */}
      {error ? (
        <ErrorBanner error={error} onRetry={() => void usersStore.getState().load()} />
      ) : (
        <>
          <div className="table-bar">
            {loaded ? <UsersPager /> : null}
            <BulkActions />
          </div>
          <UnlistedNote />
          <UsersTable empty={empty} />
        </>
      )}
    </section>
  );
}
