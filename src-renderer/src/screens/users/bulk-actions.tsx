import { useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBanner, Spinner } from '../../components/ui.tsx';
import { usersStore, useUsers, type BulkTarget } from '../../stores/users-store.ts';
import { useApp } from '../../stores/app-store.ts';
import { userCount } from '../../stores/users-query.ts';
import { BulkLifecycle } from './bulk-lifecycle.tsx';

type Asking = { active: boolean; target: BulkTarget };

const n$ = (n: number) => n.toLocaleString('en-US');

/** A run under way: how far, and a way to stop after the batch in flight (what was done stays done, and can be undone). */
function BulkProgressBar() {
  const bulk = useUsers((s) => s.bulk)!;
  const verb = bulk.undo ? 'Undoing' : bulk.active ? 'Activating' : 'Deactivating';
  return (
    <div className="bulk bulk-progress" role="group" aria-label="Bulk action in progress">
      <Spinner label={`${verb} users`} />
      <progress max={bulk.total} value={bulk.done} aria-label={`${verb} users`} />
      <span className="bulk-count" aria-live="polite">
        {verb}… {n$(bulk.done)} of {n$(bulk.total)}
      </span>
      <button type="button" className="secondary small" onClick={() => usersStore.getState().stopBulk()}>
        Stop
      </button>
    </div>
  );
}

/**
 * The selection and what can be done with it, right above the table: how many
 * are selected (on this page, or every matching user), Activate and
 * Deactivate. Deactivating, and anything over every matching user, asks first,
 * naming the exact number and the connection; the action then covers exactly
 * those users, and its toast offers Undo for exactly the ones it changed.
 */
export function BulkActions() {
  const n = useUsers((s) => s.selected.size);
  const all = useUsers((s) => s.allMatching);
  const count = useUsers((s) => s.count);
  const estimated = useUsers((s) => s.estimated);
  const pageRows = useUsers((s) => s.results.length);
  const running = useUsers((s) => s.bulk !== null);
  const caps = useApp((s) => s.status?.capabilities ?? null);
  const where = useApp((s) => s.status?.profile?.name ?? 'this connection');
  const [asking, setAsking] = useState<Asking | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const bar = useRef<HTMLDivElement>(null);
  if (running) return <BulkProgressBar />;
  if (n === 0 && !error) return null;

  const run = (active: boolean, target: BulkTarget) => {
    setAsking(null);
    void usersStore.getState().bulkSetActive(active, target, { batch: caps?.bulk_batch ?? 100, connectionName: `“${where}”` });
  };

  /** The users the selection means now (every matching one asked of the server), or null with the reason shown. */
  async function prepare(): Promise<BulkTarget | null> {
    setError(null);
    setPreparing(true);
    const r = await usersStore.getState().bulkTarget();
    setPreparing(false);
    if (!r.ok) setError(r.error);
    return r.ok ? r.value : null;
  }

  async function ask(active: boolean) {
    setError(null);
    setPreparing(true);
    const r = await usersStore.getState().bulkTarget();
    setPreparing(false);
    if (!r.ok) return setError(r.error);
    // Activating the ticked rows of this page is one click (and Undo); anything that signs people out, or reaches past the page, asks.
    if (active && !all) return run(true, r.value);
    setAsking({ active, target: r.value });
  }

  const whole = pageRows > 0 && n === pageRows && !all && (estimated || count > pageRows);
  const selectedText = all ? `All ${estimated ? '' : `${n$(count)} `}matching users selected` : `${n$(n)} selected on this page`;
  const asked = asking ? asking.target.ids.length : 0;
  const who = asked === 1 ? 'This user is' : `These ${n$(asked)} users are`;
  return (
    <div className="bulk" role="group" aria-label="Selected users" ref={bar}>
      <span className="bulk-count" aria-live="polite">
        {preparing ? <Spinner label="Counting the users" /> : null} {selectedText}
      </span>
      {whole ? (
        <button type="button" className="link small" onClick={() => usersStore.getState().selectAllMatching(true)}>
          Select all {estimated ? '' : `${n$(count)} `}matching users
        </button>
      ) : null}
      {all ? (
        <button type="button" className="link small" onClick={() => usersStore.getState().selectAllMatching(false)}>
          Clear selection
        </button>
      ) : null}
      {caps?.bulk_note ? <span className="bulk-note small muted">{caps.bulk_note}</span> : null}
      <span className="bulk-buttons">
        <button type="button" className="secondary" disabled={preparing} onClick={() => void ask(true)}>
          Activate
        </button>
        <button type="button" className="secondary" disabled={preparing} onClick={() => void ask(false)}>
          Deactivate
        </button>
        <BulkLifecycle prepare={prepare} disabled={preparing} />
      </span>
      {error ? <ErrorBanner error={error} /> : null}
      <ConfirmDialog
        open={asking !== null}
        title={`${asking?.active ? 'Activate' : 'Deactivate'} ${userCount(asked)} on “${where}”?`}
        confirmLabel={asking?.active ? 'Activate' : 'Deactivate'}
        danger={asking ? !asking.active : false}
        onConfirm={() => asking && run(asking.active, asking.target)}
        onCancel={() => setAsking(null)}
      >
        {asking?.active ? (
          <p>{who} let back in: they can sign in again and their API keys work again. Users already active stay as they are.</p>
        ) : (
          <p>
            {who} signed out at once: sessions and JWTs end, and API keys stop working until {asked === 1 ? 'the account is' : 'the accounts are'} activated
            again. Users already inactive stay as they are; nothing is deleted.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
