import { useId, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { Membership, OrgRole, User } from '../../../../src-shared/domain.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { ErrorBanner, Spinner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { ROLE_LABEL, roleRefusal } from '../organizations/org-logic.ts';
import { useMemberships } from '../organizations/use-organizations.ts';

/**
 * The organizations a user is in, with "Add to organization" and Remove
 * where the server takes changes; read-only where it shows organizations but
 * takes no changes (a Graphistry); its sentence where it has none.
 */
export function MembershipsSection({ user }: { user: User }) {
  const absent = useNotOffered('organizations');
  const readOnly = useNotOffered('org_writes');
  const navigate = useApp((s) => s.navigate);
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const { value, error, loading, reload } = useMemberships(user.id, absent === null);
  const [removing, setRemoving] = useState<Membership | null>(null);
  const [actionError, setActionError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);

  async function remove(m: Membership) {
    setBusy(true);
    setActionError(null);
    const r = await call('removeOrgMember', { connection, org: m.organization.ref, user_id: user.id });
    setBusy(false);
    setRemoving(null);
    if (!r.ok) return setActionError(r.error);
    toast('ok', `Removed ${user.username} from ${m.organization.name}`);
    void reload();
  }

  return (
    <section className="card" aria-labelledby="memberships-h" aria-busy={loading}>
      <div className="section-head">
        <h2 id="memberships-h">Organizations</h2>
        {loading && value ? <Spinner label="Refreshing organizations" /> : null}
      </div>
      {absent ? (
        <p className="small muted">{absent}</p>
      ) : (
        <>
          {readOnly ? <p className="small muted">{readOnly}</p> : null}
          <ErrorBanner error={error} onRetry={() => void reload()} />
          <ErrorBanner error={actionError} />
          {value === null ? null : value.length === 0 ? (
            <p className="muted">{user.username} is in no organization.</p>
          ) : (
            <div className="table-wrap">
              <table className="memberships-table" aria-label={`${user.username}’s organizations`}>
                <thead>
                  <tr>
                    <th scope="col">Organization</th>
                    <th scope="col">Role</th>
                    <th scope="col">Joined</th>
                    {readOnly ? null : (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {value.map((m) => (
                    <tr key={m.organization.ref}>
                      <td>
                        <a
                          href={`#/organizations/${encodeURIComponent(m.organization.ref)}`}
                          onClick={(e) => (e.preventDefault(), navigate({ name: 'organization', org: m.organization.ref }))}
                        >
                          {m.organization.name}
                        </a>
                        {m.organization.slug && m.organization.slug !== m.organization.name ? (
                          <span className="muted small">
                            {' '}
                            <code>{m.organization.slug}</code>
                          </span>
                        ) : null}
                      </td>
                      <td>{m.role ? <StatusBadge tone={m.role === 'admin' ? 'ok' : 'muted'}>{ROLE_LABEL[m.role]}</StatusBadge> : '—'}</td>
                      <td title={exact(m.joined_at)}>{shortWhen(m.joined_at)}</td>
                      {readOnly ? null : (
                        <td className="cell-action">
                          <button type="button" className="danger small" onClick={() => setRemoving(m)}>
                            Remove<span className="sr-only"> from {m.organization.name}</span>
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {readOnly ? null : <AddToOrg user={user} onAdded={() => void reload()} />}
        </>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${user.username} from ${removing?.organization.name ?? ''}?`}
        confirmLabel="Remove"
        danger
        busy={busy}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>The account stays; it loses this organization’s access.</p>
      </ConfirmDialog>
    </section>
  );
}

/** "Add to organization": an organization's id (searched on the server) and a role. */
function AddToOrg({ user, onAdded }: { user: User; onAdded(): void }) {
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [org, setOrg] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const typed = org.trim().toLowerCase();
    if (!typed) return setError({ code: 'VALIDATION', message: 'Enter the id of the organization.' });
    setBusy(true);
    setError(null);
    const found = await call('listOrganizations', { connection, search: typed, page_size: 50 });
    const match = found.ok ? found.value.results.find((o) => o.slug === typed) : undefined;
    if (!match) {
      setBusy(false);
      return setError(found.ok ? { code: 'NOT_FOUND', message: `No organization “${typed}”.` } : found.error);
    }
    const r = await call('addOrgMember', { connection, org: match.ref, user_id: user.id, role });
    setBusy(false);
    if (!r.ok) return setError({ ...r.error, message: roleRefusal(r.error) ?? r.error.message });
    toast('ok', `Added ${user.username} to ${match.name}`);
    setOrg('');
    onAdded();
  }

  return (
    <form className="add-member" onSubmit={(e) => void submit(e)} noValidate aria-label="Add to organization">
      <div className="toolbar">
        <label htmlFor={`${id}-o`}>Add to organization</label>
        <input id={`${id}-o`} value={org} placeholder="Organization id" autoComplete="off" onChange={(e) => setOrg(e.target.value)} />
        <label htmlFor={`${id}-r`} className="sr-only">
          Role
        </label>
        <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
          {(Object.keys(ROLE_LABEL) as OrgRole[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
        <button type="submit" className="secondary" disabled={busy}>
          Add
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
