import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { OrgInvitation, OrgRole } from '../../../../src-shared/domain.ts';
import { RevokeInvitationDialog } from '../../components/revoke-invitation-dialog.tsx';
import { ErrorBanner, Field, Spinner } from '../../components/ui.tsx';
import { call, fieldErrors } from '../../lib/api.ts';
import { copyText } from '../../lib/copy.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { DEFAULT_INVITE_HOURS, INVITE_EXPIRY_CHOICES } from '../settings/settings-logic.ts';
import { LoopbackNote } from '../settings/share-links.tsx';
import { ROLE_LABEL } from './org-logic.ts';

/**
 * "Invite": a link for one person to join the organization with a role.
 * Someone with an account signs in on its page and joins; someone new makes
 * their account there first. The whole link is shown once (the server keeps
 * only a hash of its token); the pending links below can be revoked.
 */
export function OrgInviteCard(props: {
  org: string;
  orgName: string;
  invitations: readonly OrgInvitation[] | null;
  loading: boolean;
  error: ConsoleError | null;
  reload(): void;
}) {
  const { org, orgName, invitations } = props;
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [role, setRole] = useState<OrgRole>('member');
  const [hours, setHours] = useState<number>(DEFAULT_INVITE_HOURS);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [link, setLink] = useState<{ url: string; role: OrgRole } | null>(null);
  const [revoking, setRevoking] = useState<OrgInvitation | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<ConsoleError | null>(null);
  const copyRef = useRef<HTMLButtonElement>(null);
  const createRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const noteError = fieldErrors(error).note;
  useEffect(() => {
    if (link) copyRef.current?.focus();
  }, [link]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const r = await call('createOrgInvitation', { connection, org, role, expires_in_hours: hours, note: note.trim() || null });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    setNote('');
    setLink({ url: r.value.url, role: r.value.invitation.role });
    props.reload();
  }

  async function revoke() {
    if (!revoking) return;
    setRevokeBusy(true);
    const r = await call('revokeOrgInvitation', { connection, org, id: revoking.id });
    setRevokeBusy(false);
    if (!r.ok) return setRevokeError(r.error);
    setRevokeError(null);
    setRevoking(null);
    toast('ok', 'Invitation revoked');
    props.reload();
  }

  function done() {
    setLink(null);
    createRef.current?.focus();
  }

  return (
    <section className="card org-invite" aria-labelledby="org-invite-h">
      <h2 id="org-invite-h">Invite</h2>
      <p className="muted small">
        A link for one person to join {orgName}: someone with an account signs in and joins; someone new makes their account on its page first. It works once.
      </p>
      <form onSubmit={(e) => void create(e)} noValidate aria-label="New organization invitation" aria-busy={busy || undefined}>
        {noteError ? null : <ErrorBanner error={error} />}
        <div className="inline-fields">
          <div className="field">
            <label htmlFor={`${id}-r`}>Role</label>
            <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
              {(Object.keys(ROLE_LABEL) as OrgRole[]).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-e`}>Expires in</label>
            <select id={`${id}-e`} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {INVITE_EXPIRY_CHOICES.map((c) => (
                <option key={c.hours} value={c.hours}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <Field label="Note" value={note} onChange={setNote} error={noteError} placeholder="who it is for" autoComplete="off" />
          <div className="inline-submit">
            <button type="submit" ref={createRef} disabled={busy}>
              {busy ? <Spinner label="Creating the link" /> : null}
              Create link
            </button>
          </div>
        </div>
      </form>

      {link ? (
        <section className="banner warn once-notice" aria-label="New invitation link">
          <div className="once-body">
            <strong>Copy this link now: it is shown once.</strong>
            <p>
              Whoever opens it and signs in joins {orgName} as {link.role === 'admin' ? 'an admin' : 'a member'}.
            </p>
            <div className="secret">
              <code>{link.url}</code>
            </div>
            <LoopbackNote url={link.url} settingAt="in Settings" />
            <div className="actions">
              <button type="button" ref={copyRef} onClick={() => void copyText(link.url, { sensitive: true, what: 'Link copied' })}>
                Copy link
              </button>
              <button type="button" className="ghost" onClick={done}>
                Done
              </button>
            </div>
          </div>
        </section>
      ) : null}

      <div className="section-head">
        <h3>Pending invitations</h3>
        {props.loading && invitations ? <Spinner label="Refreshing invitations" /> : null}
      </div>
      <ErrorBanner error={props.error} onRetry={props.reload} />
      {invitations === null ? null : invitations.length === 0 ? (
        <p className="muted small">No pending invitations: used, expired and revoked links are not listed.</p>
      ) : (
        <OrgInvitationsTable invitations={invitations} onRevoke={setRevoking} />
      )}

      <RevokeInvitationDialog
        invitation={revoking}
        busy={revokeBusy}
        error={revokeError}
        after={<>Members who already joined with it stay in {orgName}.</>}
        onConfirm={() => void revoke()}
        onCancel={() => {
          setRevokeError(null);
          setRevoking(null);
        }}
      />
    </section>
  );
}

function OrgInvitationsTable({ invitations, onRevoke }: { invitations: readonly OrgInvitation[]; onRevoke(inv: OrgInvitation): void }) {
  return (
    <div className="table-wrap">
      <table aria-label="Pending invitations" className="org-invitations-table">
        <thead>
          <tr>
            <th scope="col">Note</th>
            <th scope="col">Role</th>
            <th scope="col">Created by</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((inv) => (
            <tr key={inv.id}>
              <td>{inv.note ?? <span className="muted">no note</span>}</td>
              <td>
                <StatusBadge tone={inv.role === 'admin' ? 'ok' : 'muted'}>{ROLE_LABEL[inv.role]}</StatusBadge>
              </td>
              <td>{inv.created_by}</td>
              <td title={exact(inv.created_at)}>{shortWhen(inv.created_at)}</td>
              <td title={exact(inv.expires_at)}>{shortWhen(inv.expires_at)}</td>
              <td className="cell-action">
                <button type="button" className="danger small" onClick={() => onRevoke(inv)}>
                  Revoke<span className="sr-only"> the invitation {inv.note ? `for ${inv.note}` : `made ${shortWhen(inv.created_at)}`}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
