import { useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';

/**
 * A create that made the account but could not save all of it (a Graphistry
 * takes a new user in two steps: its add form, then the change form). The
 * account exists: say so, and offer to finish it in the editor or delete it,
 * rather than leave a half-made user unmentioned.
 */
export function IncompleteUser({ error, onDeleted }: { error: ConsoleError & { user_id: number }; onDeleted(): void }) {
  const connection = useConnection();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<ConsoleError | null>(null);
  const box = useRef<HTMLDivElement>(null);
  // Said where the admin's eyes and keyboard are: scrolled into view, focus on "Finish".
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
    box.current?.querySelector('button')?.focus();
  }, [error]);
  async function remove() {
    setBusy(true);
    const r = await call('deleteUser', { connection, id: error.user_id });
    setBusy(false);
    if (!r.ok) return setFailed(r.error);
    useToasts.getState().show('ok', 'Deleted the half-made user');
    onDeleted();
  }
  return (
    <div className="banner warn incomplete-user" role="alert" ref={box}>
      <p>
        <strong>The user was created, but not all of it was saved.</strong> {error.message}
      </p>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => useApp.getState().navigate({ name: 'user', id: error.user_id }, { force: true })}>
          Finish in the editor
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Delete the user
        </button>
      </div>
      <ErrorBanner error={failed} />
    </div>
  );
}

/** Whether a failed create left the account behind (USER_INCOMPLETE, with its id). */
export function leftIncomplete(error: ConsoleError | null): error is ConsoleError & { user_id: number } {
  return error?.serverCode === 'USER_INCOMPLETE' && typeof error.user_id === 'number';
}
