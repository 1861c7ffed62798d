import { useState } from 'react';
import type { Profile } from '../../../../src-shared/console-api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { call } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { signOutMessage } from './connections-model.ts';

export type ProfileDialog = { kind: 'sign-out' | 'forget'; profile: Profile } | null;

/** The two confirmations of the Connections screen: sign out (keychain entry goes) and forget (the profile goes too). */
export function ProfileDialogs({ dialog, onClose }: { dialog: ProfileDialog; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  // Keep the last profile while the dialog closes, so its text does not blank out first.
  // (React's "adjust state during render" pattern.)
  const [shown, setShown] = useState<ProfileDialog>(null);
  if (dialog && dialog !== shown) setShown(dialog);
  const p = (dialog ?? shown)?.profile;

  async function confirm() {
    if (!dialog || !p) return;
    setBusy(true);
    const toast = useToasts.getState().show;
    if (dialog.kind === 'sign-out') {
      const r = await call('signOut', { profileId: p.id });
      // Refresh first, so the table already shows the change when the toast says so.
      await useApp.getState().refresh();
      setBusy(false);
      onClose();
      if (r.ok) toast('ok', signOutMessage(p.name, r.value));
      else toast('error', r.error.message);
      return;
    }
    const r = await call('deleteProfile', { profileId: p.id });
    await useApp.getState().refresh();
    setBusy(false);
    onClose();
    if (r.ok) toast('ok', `Forgot ${p.name}`);
    else toast('error', r.error.message);
  }

  return (
    <>
      <ConfirmDialog
        open={dialog?.kind === 'sign-out'}
        title={`Sign out of ${p?.name ?? ''}?`}
        confirmLabel="Sign out"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={onClose}
      >
        {p?.credential_kind === 'password' ? (
          <p>
            The console removes the Graphistry admin password it keeps for this connection from the OS keychain and ends its admin-site session. To use this
            connection again, sign in with the password.
          </p>
        ) : p?.has_credential ? (
          <p>
            The console removes the key it keeps for this connection from the OS keychain, and revokes that key on the server when it can reach it. To use this
            connection again, sign in with a password.
          </p>
        ) : (
          <p>The console disconnects. It keeps no saved sign-in for this connection.</p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog?.kind === 'forget'}
        title={`Forget ${p?.name ?? ''}?`}
        confirmLabel="Forget"
        danger
        typeToConfirm={p?.name ?? ''}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={onClose}
      >
        <p>This removes the connection from the console and deletes its saved sign-in from the OS keychain. The server and its accounts stay as they are.</p>
        {p?.kind === 'bundled' ? <p className="muted">The bundled server's data folder stays too: starting the bundled server again brings it back.</p> : null}
      </ConfirmDialog>
    </>
  );
}
