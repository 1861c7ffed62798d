import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { User } from '../../../../src-shared/domain.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBanner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';

/**
 * Deleting is for good (the user's keys go with them), so the username must
 * be typed; deactivating is offered as the reversible way. A refusal (the
 * last superuser) is shown in the dialog, where the admin is looking.
 */
export function DeleteUser({ user, open, onClose }: { user: User; open: boolean; onClose(): void }) {
  const navigate = useApp((s) => s.navigate);
  const toast = useToasts((s) => s.show);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const connection = useConnection();

  async function confirm() {
    setBusy(true);
    setError(null);
    const r = await call('deleteUser', { connection, id: user.id });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onClose();
    toast('ok', `Deleted ${user.username}`);
    navigate({ name: 'users' }, { force: true });
  }
  const cancel = () => {
    setError(null);
    onClose();
  };

  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${user.username}?`}
      confirmLabel="Delete"
      danger
      typeToConfirm={user.username}
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={cancel}
    >
      <p>This removes the account and its API keys; it cannot be undone. To stop access but keep the account, untick Active instead.</p>
      <ErrorBanner error={error} />
    </ConfirmDialog>
  );
}
