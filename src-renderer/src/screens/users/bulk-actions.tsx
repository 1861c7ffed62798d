import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { Spinner } from '../../components/ui.tsx';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { useApp } from '../../stores/app-store.ts';

/**
 * Shown while rows are selected. The count sits beside the buttons rather than
 * inside them, so their names stay exactly "Activate" and "Deactivate".
 * Deactivating signs people out at once, so it asks first (and offers Undo after).
 */
export function BulkActions() {
  const n = useUsers((s) => s.selected.size);
  const busy = useUsers((s) => s.bulkBusy);
  const [confirming, setConfirming] = useState(false);
  const note = useApp((s) => s.status?.capabilities?.bulk_note ?? null);
  if (n === 0) return null;
  const run = (active: boolean) => void usersStore.getState().bulkSetActive(active);
  const who = n === 1 ? 'this user' : `these ${n} users`;
  return (
    <div className="bulk" role="group" aria-label="Selected users">
      <span className="bulk-count" aria-live="polite">
        {busy ? <Spinner label="Updating users" /> : null} {n} selected
      </span>
      {note ? <span className="bulk-note small muted">{note}</span> : null}
      <button type="button" className="secondary" disabled={busy} onClick={() => run(true)}>
        Activate
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(true)}>
        Deactivate
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Deactivate ${n === 1 ? '1 user' : `${n} users`}?`}
        confirmLabel="Deactivate"
        danger
        onConfirm={() => {
          setConfirming(false);
          run(false);
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {who.charAt(0).toUpperCase() + who.slice(1)} {n === 1 ? 'is' : 'are'} signed out at once: sessions and JWTs end, and API keys stop working until{' '}
          {n === 1 ? 'the account is' : 'the accounts are'} activated again. Nothing is deleted.
        </p>
      </ConfirmDialog>
    </div>
  );
}
