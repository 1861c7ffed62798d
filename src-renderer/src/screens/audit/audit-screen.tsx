import { useTitle } from '../../lib/title.ts';
import { useReloads } from '../../lib/use-reloads.ts';
import { useScreenAddress, type ScreenAddress } from '../../lib/use-screen-address.ts';
import { auditToParams, paramsToAudit, useAudit, pageCount, type AuditQuery, type AuditState } from '../../stores/audit-store.ts';
import { EmptyState, ErrorBanner, PageHead, Spinner } from '../../components/ui.tsx';
import { AuditFilters } from './audit-filters.tsx';
import { AuditTable } from './audit-table.tsx';
import { ExportAudit } from './export-audit.tsx';
import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';

/** The server's audit log, or what the server says instead where it keeps none the console can read. */
export function AuditScreen() {
  const notOffered = useNotOffered('audit');
  useTitle('Audit log');
  if (!notOffered) return <AuditLog />;
  return (
    <div className="screen-audit">
      <PageHead title="Audit log" />
      <NotOffered title="No audit log on this server" sentence={notOffered} />
    </div>
  );
}

/** The log's filters and page in its address: `#/audit?actor=ali&action=user.roles&page=2`. */
const AUDIT_ADDRESS: ScreenAddress<AuditState, AuditQuery> = {
  route: 'audit',
  store: useAudit,
  query: (s) => ({ ...s.filters, page: s.page }),
  toParams: auditToParams,
  fromParams: paramsToAudit,
  apply: (q) => void useAudit.getState().applyQuery(q),
  // Every visit fetches afresh (the log only grows); the last page stays on screen meanwhile.
  load: () => void useAudit.getState().load(),
  // The actor is typed (and debounced): its changes replace their own step.
  replaces: (q, prev) => q.actor !== prev.actor || q.target !== prev.target,
};

/** The server's audit log, newest first, paged on the server. */
function AuditLog() {
  const { data, loading, error, page, pageSize, filters, load, goTo } = useAudit();
  useScreenAddress(AUDIT_ADDRESS);
  useReloads(() => void useAudit.getState().load());
  const pages = pageCount(data?.count ?? 0, pageSize);
  const filtered = Boolean(filters.actor || filters.action || filters.target !== null);

  return (
    <div className="screen-audit">
      <PageHead title="Audit log" subtitle="Sign-ins, changes to users, keys, settings and invitations, newest first.">
        <ExportAudit />
      </PageHead>
      <AuditFilters />
      <ErrorBanner error={error} onRetry={() => void load()} />
      <div className="table-wrap" aria-busy={loading}>
        {data === null ? (
          loading ? (
            <div className="loading-block">
              <Spinner label="Loading the audit log" /> <span className="muted">Loading the audit log…</span>
            </div>
          ) : null
        ) : data.results.length === 0 ? (
          <EmptyState title={filtered ? 'No entries match' : 'The audit log is empty'}>
            {filtered ? 'The actor must match a username exactly.' : null}
          </EmptyState>
        ) : (
          <AuditTable entries={data.results} />
        )}
        {data ? (
          <div className="pager">
            <span className="pager-status">
              <span aria-live="polite">
                Page {Math.min(page, pages)} of {pages} · {data.count.toLocaleString()} {data.count === 1 ? 'entry' : 'entries'}
              </span>
              {loading ? <Spinner label="Loading" /> : null}
            </span>
            <span className="actions tight">
              <button type="button" className="secondary small" disabled={page <= 1} onClick={() => void goTo(page - 1)}>
                Previous page
              </button>
              <button type="button" className="secondary small" disabled={page >= pages} onClick={() => void goTo(page + 1)}>
                Next page
              </button>
            </span>
          </div>
        ) : null}
      </div>
    </div>
  );
}
