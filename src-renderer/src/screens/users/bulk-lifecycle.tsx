import { useState } from 'react';
import type { LifecycleAction } from '../../../../src-shared/lifecycle-schemas.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { describeError } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { usersStore, type BulkTarget } from '../../stores/users-store.ts';
import { userCount } from '../../stores/users-query.ts';
import { LIFECYCLE_WORDS, lifecycleEffect, lifecycleSummary, runLifecycle } from '../../stores/lifecycle-run.ts';

const ACTIONS: LifecycleAction[] = ['sign_out', 'require_password_change', 'revoke_keys'];

/**
 * Sign out everywhere, Require password change, Revoke all keys over the
 * selection (ticked rows, or every matching user): each asks first, naming
 * the count and the connection, since none can be undone.
 */
export function BulkLifecycle({ prepare, disabled }: { prepare: () => Promise<BulkTarget | null>; disabled: boolean }) {
  const absent = useNotOffered('lifecycle');
  const where = useApp((s) => s.status?.profile?.name ?? 'this connection');
  const caps = useApp((s) => s.status?.capabilities ?? null);
  const [asking, setAsking] = useState<{ action: LifecycleAction; target: BulkTarget } | null>(null);
  const [revokeKeys, setRevokeKeys] = useState(false);
  const [busy, setBusy] = useState(false);

  async function ask(action: LifecycleAction) {
    const target = await prepare();
    if (target) {
      setRevokeKeys(false);
      setAsking({ action, target });
    }
  }
  async function run() {
    if (!asking) return;
    const { action, target } = asking;
    setBusy(true);
    const { result, error } = await runLifecycle(target.connection, target.ids, action, { revokeKeys, batch: caps?.bulk_batch ?? 100 });
    setBusy(false);
    setAsking(null);
    const text = lifecycleSummary(action, result);
    useToasts.getState().show(error ? 'error' : 'ok', error ? `${text} Stopped: ${describeError(error)}` : text, { connection: target.connection });
    void usersStore.getState().load();
  }

  const n = asking?.target.ids.length ?? 0;
  const who = n === 1 ? 'This user' : `These ${n.toLocaleString('en-US')} users`;
  return (
    <>
      {ACTIONS.map((a) => (
        <button key={a} type="button" className="secondary" disabled={disabled || absent !== null} title={absent ?? undefined} onClick={() => void ask(a)}>
          {LIFECYCLE_WORDS[a].button}
        </button>
      ))}
      <ConfirmDialog
        open={asking !== null}
        title={asking ? `${LIFECYCLE_WORDS[asking.action].button}: ${userCount(n)} on “${where}”?` : ''}
        confirmLabel={asking ? LIFECYCLE_WORDS[asking.action].button : 'Confirm'}
        danger
        busy={busy}
        onConfirm={() => void run()}
        onCancel={() => setAsking(null)}
      >
        {asking ? <p>{lifecycleEffect(asking.action, who, revokeKeys)}</p> : null}
        {asking?.action === 'sign_out' ? (
          <label className="check">
            <input type="checkbox" checked={revokeKeys} onChange={(e) => setRevokeKeys(e.target.checked)} /> Also revoke their API keys
          </label>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
