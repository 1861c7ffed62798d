import { useState } from 'react';
import type { PersonalKey } from '../../../../src-shared/domain.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBanner } from '../../components/ui.tsx';
import { looksLikeConsoleKey } from './key-logic.ts';
import type { KeyOwner } from './use-keys.ts';

/** Confirm, then revoke. The dialog stays open on failure so the reason is read where the action was taken. */
export function RevokeKeyDialog(props: { owner: KeyOwner; target: PersonalKey | null; ownKeys: boolean; onClose(revoked: boolean): void }) {
  const toast = useToasts((s) => s.show);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const connection = useConnection();
  const key = props.target;

  async function revoke() {
    if (!key) return;
    setBusy(true);
    const r = await call('revokeKey', { connection, user: props.owner, keyId: key.id });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    toast('ok', `Key “${key.name}” revoked`);
    props.onClose(true);
  }

  return (
    <ConfirmDialog
      open={key !== null}
      title={`Revoke key “${key?.name ?? ''}”?`}
      confirmLabel="Revoke key"
      danger
      busy={busy}
      onConfirm={() => void revoke()}
      onCancel={() => {
        setError(null);
        props.onClose(false);
      }}
    >
      <p>Anything using this key stops working at once, including JWTs already exchanged for it. This cannot be undone; make a new key instead.</p>
      {props.ownKeys && key && looksLikeConsoleKey(key.name) ? (
        <p className="banner warn">This looks like the key this console signs in with. If it is, the console will need you to sign in again.</p>
      ) : null}
      <ErrorBanner error={error} />
    </ConfirmDialog>
  );
}
