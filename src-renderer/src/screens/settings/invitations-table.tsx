import type { InvitationView } from '../../../../src-shared/domain.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge, type Tone } from '../keys/status-badge.tsx';

const TONE: Record<InvitationView['status'], Tone> = { pending: 'ok', used: 'muted', expired: 'warn', revoked: 'muted' };

export function InvitationsTable({ invitations, onRevoke }: { invitations: readonly InvitationView[]; onRevoke(inv: InvitationView): void }) {
  return (
    <div className="table-wrap">
      <table aria-label="Invitations" className="invitations-table">
        <colgroup>
          <col />
          <col className="w-who" />
          <col className="w-date" />
          <col className="w-date" />
          <col className="w-status" />
          <col className="w-who" />
          <col className="w-action" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Note</th>
            <th scope="col">Created by</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">Used by</th>
            <th scope="col" aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {invitations.map((inv) => (
            <tr key={inv.id} className={inv.status === 'pending' ? undefined : 'row-inactive'}>
              <td title={inv.note ?? ''}>
                {inv.note ?? <span className="muted">no note</span>}
                {inv.grant_staff ? <span className="badge tag">staff</span> : null}
              </td>
              <td>{inv.created_by}</td>
              <td title={exact(inv.created_at)}>{shortWhen(inv.created_at)}</td>
              <td title={exact(inv.expires_at)}>{shortWhen(inv.expires_at)}</td>
              <td title={inv.used_at ? `Used ${exact(inv.used_at)}` : undefined}>
                <StatusBadge tone={TONE[inv.status]}>{inv.status}</StatusBadge>
              </td>
              <td title={inv.used_by_username ?? undefined}>{usedBy(inv)}</td>
              <td className="cell-action">
                {inv.status === 'pending' ? (
                  <button type="button" className="danger small" onClick={() => onRevoke(inv)}>
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Who made their account with the link: a name, or what is known of an account since deleted. */
function usedBy(inv: InvitationView) {
  if (inv.used_by_username) return inv.used_by_username;
  if (inv.used_by !== null) return <span className="muted">deleted account #{inv.used_by}</span>;
  return <span className="muted">—</span>;
}
