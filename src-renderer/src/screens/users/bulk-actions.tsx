import { Spinner } from '../../components/ui.tsx';
import { usersStore, useUsers } from '../../stores/users-store.ts';

/**
 * Shown while rows are selected. The count sits beside the buttons rather than
 * inside them, so their names stay exactly "Activate" and "Deactivate".
 */
export function BulkActions() {
  const n = useUsers((s) => s.selected.size);
  const busy = useUsers((s) => s.bulkBusy);
  if (n === 0) return null;
  const run = (active: boolean) => void usersStore.getState().bulkSetActive(active);
  return (
    <div className="bulk" role="group" aria-label="Selected users">
      <span className="bulk-count" aria-live="polite">
        {busy ? <Spinner label="Updating users" /> : null} {n} selected
      </span>
      <button type="button" className="secondary" disabled={busy} onClick={() => run(true)}>
        Activate
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={() => run(false)}>
        Deactivate
      </button>
    </div>
  );
}
