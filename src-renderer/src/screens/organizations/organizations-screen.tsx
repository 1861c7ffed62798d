import { useId, useState } from 'react';
import { EmptyState, ErrorBanner, Spinner } from '../../components/ui.tsx';
import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';
import { useTitle } from '../../lib/title.ts';
import { useReloads } from '../../lib/use-reloads.ts';
import { useApp } from '../../stores/app-store.ts';
import { useDebouncedEffect } from '../audit/use-debounced.ts';
import { CreateOrgDialog } from './create-org-dialog.tsx';
import { OrganizationsTable } from './organizations-table.tsx';
import { orgCount, UNLISTED_LABEL, wordList } from './org-logic.ts';
import { useOrganizations } from './use-organizations.ts';

const PAGE_SIZE = 50;

/** Organizations, or what the server says instead where it has none the console can show. */
export function OrganizationsScreen() {
  const notOffered = useNotOffered('organizations');
  useTitle('Organizations');
  if (notOffered) {
    return (
      <section className="orgs-screen">
        <div className="page-head">
          <h1>Organizations</h1>
        </div>
        <NotOffered title="Organizations are not shown here" sentence={notOffered} />
      </section>
    );
  }
  return <OrganizationsList />;
}

/** Search and page on the server; a row opens its organization. */
function OrganizationsList() {
  const navigate = useApp((s) => s.navigate);
  const readOnly = useNotOffered('org_writes');
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const searchId = useId();
  useDebouncedEffect(typed, 300, (v) => {
    setSearch(v.trim());
    setPage(1);
  });
  const { value, error, loading, reload } = useOrganizations({ search, page, page_size: PAGE_SIZE });
  useReloads(() => void reload());
  const last = value ? Math.max(1, Math.ceil(value.count / PAGE_SIZE)) : 1;
  const unlisted = value?.unlisted?.filter((f) => f !== 'join_policy') ?? [];

  return (
    <section className="orgs-screen" aria-busy={loading}>
      <div className="page-head">
        <div className="head-title">
          <h1>Organizations</h1>
          <span className="head-count" aria-live="polite">
            {value && !error ? `${orgCount(value.count)}${search ? ' match' : ''}` : ''}
          </span>
        </div>
        <div className="actions head-actions">
          {readOnly ? null : (
            <button type="button" onClick={() => setCreating(true)}>
              Create organization
            </button>
          )}
        </div>
      </div>
      {readOnly ? (
        <p className="banner info" role="note">
          {readOnly}
        </p>
      ) : null}
      <div className="toolbar" role="search">
        <label htmlFor={searchId} className="sr-only">
          Search organizations
        </label>
        <input
          id={searchId}
          type="search"
          value={typed}
          placeholder="Search id or name"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="button" className="secondary small refresh" onClick={() => void reload()} disabled={loading}>
          Refresh
        </button>
        <span className="busy-slot">{loading ? <Spinner label="Loading organizations" /> : null}</span>
      </div>
      {error ? (
        <ErrorBanner error={error} onRetry={() => void reload()} />
      ) : value === null ? null : value.results.length === 0 ? (
        <div className="table-wrap">
          {search ? (
            <EmptyState title="No organizations match">Nothing matches “{search}”.</EmptyState>
          ) : (
            <EmptyState title="No organizations yet">
              {readOnly ? 'This server has none.' : 'Create one: its members, roles and invitations are managed here.'}
            </EmptyState>
          )}
        </div>
      ) : (
        <>
          {unlisted.length ? (
            <p className="small muted">
              This server’s organization list does not show {wordList(unlisted.map((f) => UNLISTED_LABEL[f]))}: those cells say <em>Not listed</em>; open an
              organization to see its members.
            </p>
          ) : null}
          <OrganizationsTable orgs={value.results} unlisted={value.unlisted ?? []} onOpen={(o) => navigate({ name: 'organization', org: o.ref })} />
          {last > 1 ? (
            <div className="pager" role="navigation" aria-label="Pages">
              <button type="button" className="secondary small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </button>
              <span className="small">
                Page {page} of {last}
              </span>
              <button type="button" className="secondary small" disabled={page >= last} onClick={() => setPage(page + 1)}>
                Next
              </button>
            </div>
          ) : null}
        </>
      )}
      <CreateOrgDialog
        open={creating}
        onClose={(made) => {
          setCreating(false);
          if (made) navigate({ name: 'organization', org: made.ref });
        }}
      />
    </section>
  );
}
