import type { OrgMember, OrgRole } from '../../../../src-shared/domain.ts';
import { useApp } from '../../stores/app-store.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { lastAdminReason, ROLE_LABEL, sortMembers } from './org-logic.ts';

const NotListed = () => <span className="muted not-listed">Not listed</span>;

/**
 * Members and their roles. Where changes are offered: "Make admin" / "Make
 * member" and Remove, disabled with the reason on the last active admin (the
 * server refuses it anyway, LAST_ORG_ADMIN, and `refused` shows its sentence
 * beside the row it names).
 */
export function OrgMembersTable(props: {
  members: readonly OrgMember[];
  writable: boolean;
  busy: number | null;
  refused: { userId: number; message: string } | null;
  onRole(m: OrgMember, role: OrgRole): void;
  onRemove(m: OrgMember): void;
}) {
  const navigate = useApp((s) => s.navigate);
  const { members, writable } = props;
  return (
    <div className="table-wrap">
      <table className="org-members-table" aria-label="Members">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            <th scope="col">Invited by</th>
            {writable ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {sortMembers(members).map((m) => {
            const last = lastAdminReason(members, m);
            const refusal = props.refused?.userId === m.user_id ? props.refused.message : null;
            const reasonId = `member-${m.user_id}-why`;
            return (
              <tr key={m.user_id} className={m.is_active === false ? 'row-inactive' : undefined}>
                <td>
                  <a
                    href={`#/users/${m.user_id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ name: 'user', id: m.user_id });
                    }}
                  >
                    {m.username}
                  </a>
                  {m.is_active === false ? <span className="muted small"> (inactive)</span> : null}
                </td>
                <td>{m.email ?? (writable ? '—' : <NotListed />)}</td>
                <td>
                  {m.role ? <StatusBadge tone={m.role === 'admin' ? 'ok' : 'muted'}>{ROLE_LABEL[m.role]}</StatusBadge> : <span className="muted">unknown</span>}
                  {refusal ? (
                    <div className="field-error" role="alert">
                      {refusal}
                    </div>
                  ) : null}
                </td>
                <td title={exact(m.joined_at)}>{m.joined_at ? shortWhen(m.joined_at) : writable ? '—' : <NotListed />}</td>
                <td>{m.invited_by ?? '—'}</td>
                {writable ? (
                  <td className="cell-action">
                    <span className="row-actions">
                      <button
                        type="button"
                        className="secondary small"
                        disabled={props.busy === m.user_id || (m.role === 'admin' && last !== null)}
                        aria-describedby={m.role === 'admin' && last ? reasonId : undefined}
                        onClick={() => props.onRole(m, m.role === 'admin' ? 'member' : 'admin')}
                      >
                        Make <span className="sr-only">{m.username} </span>
                        {m.role === 'admin' ? 'member' : 'admin'}
                      </button>
                      <button
                        type="button"
                        className="danger small"
                        disabled={props.busy === m.user_id || last !== null}
                        aria-describedby={last ? reasonId : undefined}
                        onClick={() => props.onRemove(m)}
                      >
                        Remove<span className="sr-only"> {m.username}</span>
                      </button>
                    </span>
                    {last ? (
                      <div className="hint" id={reasonId}>
                        {last}
                      </div>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
