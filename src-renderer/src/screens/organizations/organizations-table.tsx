import type { Organization, UnlistedOrgField } from '../../../../src-shared/domain.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { exact, shortWhen } from '../keys/format.ts';
import { POLICY_LABEL } from './org-logic.ts';

const NotListed = () => <span className="muted not-listed">Not listed</span>;

/** One row per organization; its id is the link that opens it (a row click does too). */
export function OrganizationsTable({
  orgs,
  unlisted,
  onOpen,
}: {
  orgs: readonly Organization[];
  unlisted: readonly UnlistedOrgField[];
  onOpen(o: Organization): void;
}) {
  const hidden = new Set(unlisted);
  return (
    <div className="table-wrap">
      <table className="orgs-table" aria-label="Organizations">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">Members</th>
            <th scope="col">Admins</th>
            {hidden.has('join_policy') ? null : <th scope="col">SSO users</th>}
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {orgs.map((o) => (
            <tr key={o.ref} className="clickable" onClick={() => onOpen(o)}>
              <td>
                <a
                  href={`#/organizations/${encodeURIComponent(o.ref)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    onOpen(o);
                  }}
                >
                  {o.slug === null ? hidden.has('slug') ? <NotListed /> : '—' : <code>{o.slug}</code>}
                </a>
              </td>
              <td title={o.name}>{o.name}</td>
              <td>{o.member_count === null ? <NotListed /> : o.member_count}</td>
              <td>{o.admin_count === null ? <NotListed /> : o.admin_count === 0 ? <StatusBadge tone="warn">No admin</StatusBadge> : o.admin_count}</td>
              {hidden.has('join_policy') ? null : <td>{o.join_policy ? POLICY_LABEL[o.join_policy] : '—'}</td>}
              <td title={exact(o.created_at)}>{o.created_at === null ? <NotListed /> : shortWhen(o.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
