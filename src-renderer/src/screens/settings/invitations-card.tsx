import { useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { InvitationView } from '../../../../src-shared/domain.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { copyText } from '../../lib/copy.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { RevokeInvitationDialog } from '../../components/revoke-invitation-dialog.tsx';
import { EmptyState, ErrorBanner, Spinner } from '../../components/ui.tsx';
import { InviteForm } from './invite-form.tsx';
import { InvitationsTable } from './invitations-table.tsx';
import { useInvitations } from './use-invitations.ts';
import { LoopbackNote } from './share-links.tsx';
import { useReloads } from '../../lib/use-reloads.ts';

/** Invitations: single-use sign-up links that work even while registration is closed. */
export function InvitationsCard() {
  const toast = useToasts((s) => s.show);
  const { invitations, error, loading, reload } = useInvitations();
  useReloads(() => void reload());
  const [link, setLink] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<InvitationView | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<ConsoleError | null>(null);
  const copyRef = useRef<HTMLButtonElement>(null);
  const connection = useConnection();
  useEffect(() => copyRef.current?.focus(), [link]);

  async function revoke() {
    if (!revoking) return;
    setRevokeBusy(true);
    const r = await call('revokeInvitation', { connection, id: revoking.id });
    setRevokeBusy(false);
    if (!r.ok) return setRevokeError(r.error);
    setRevokeError(null);
    setRevoking(null);
    toast('ok', 'Invitation revoked');
    void reload();
  }

  return (
    <section className="card" aria-labelledby="invitations-h">
      <h2 id="invitations-h">Invitations</h2>
      <p className="muted">A link for one person to create their account, even while registration is invite-only. It works once.</p>
      <InviteForm
        onCreated={(url) => {
          setLink(url);
          void reload();
        }}
      />
      {link ? (
        <section className="banner warn once-notice" aria-label="New invitation link">
          <div className="once-body">
            <strong>Copy this link now: it is shown once.</strong>
            <div className="secret">
              <code>{link}</code>
            </div>
            <LoopbackNote url={link} />
            <div className="actions">
              <button type="button" ref={copyRef} onClick={() => void copyText(link, { sensitive: true, what: 'Link copied' })}>
                Copy link
              </button>
              <button type="button" className="ghost" onClick={() => setLink(null)}>
                Done
              </button>
            </div>
          </div>
        </section>
      ) : null}

      <div className="section-head">
        <h3>All invitations</h3>
        {loading && invitations ? <Spinner label="Refreshing invitations" /> : null}
      </div>
      <ErrorBanner error={error} onRetry={() => void reload()} />
      {invitations === null ? (
        loading ? (
          <div className="loading-block">
            <Spinner label="Loading invitations" /> <span className="muted">Loading invitations…</span>
          </div>
        ) : null
      ) : invitations.length === 0 ? (
        <EmptyState title="No invitations yet">Create one above and send the link to the person it is for.</EmptyState>
      ) : (
        <InvitationsTable invitations={invitations} onRevoke={setRevoking} />
      )}

      <RevokeInvitationDialog
        invitation={revoking}
        busy={revokeBusy}
        error={revokeError}
        after={'Accounts already made from it are not affected.'}
        onConfirm={() => void revoke()}
        onCancel={() => {
          setRevokeError(null);
          setRevoking(null);
        }}
      />
    </section>
  );
}
