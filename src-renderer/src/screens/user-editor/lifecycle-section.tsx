import { useState } from 'react';
import type { User } from '../../../../src-shared/domain.ts';
import type { LifecycleAction } from '../../../../src-shared/lifecycle-schemas.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { describeError } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { LIFECYCLE_WORDS, lifecycleEffect, lifecycleSummary, runLifecycle } from '../../stores/lifecycle-run.ts';

const ACTIONS: LifecycleAction[] = ['sign_out', 'require_password_change', 'revoke_keys'];

/** Offboarding one user: sign out everywhere, require a new password, revoke every key; each confirmed by name, each audited. */
export function LifecycleSection({ user }: { user: User }) {
  const connection = useConnection();
  const absent = useNotOffered('lifecycle');
  const [asking, setAsking] = useState<LifecycleAction | null>(null);
  const [revokeKeys, setRevokeKeys] = useState(false);
  const [busy, setBusy] = useState(false);

  async function run() {
    if (!asking) return;
    setBusy(true);
    const { result, error } = await runLifecycle(connection, [user.id], asking, { revokeKeys });
    setBusy(false);
    const action = asking;
    setAsking(null);
    const toast = useToasts.getState().show;
    if (error) return toast('error', describeError(error));
    toast(result.failed.length ? 'error' : 'ok', result.failed[0]?.message ?? lifecycleSummary(action, result).replace(/^1 user/, user.username));
  }

  return (
    <section className="card lifecycle-section" aria-labelledby="lifecycle-h">
      <h2 id="lifecycle-h">Sessions and access</h2>
      {absent ? (
        <p className="muted">{absent}</p>
      ) : (
        <div className="actions">
          {ACTIONS.map((a) => (
            <button
              key={a}
              type="button"
              className="secondary"
              onClick={() => {
                setRevokeKeys(false);
                setAsking(a);
              }}
            >
              {LIFECYCLE_WORDS[a].button}
            </button>
          ))}
          <a className="button ghost" href={`#/audit?user=${user.id}`}>
            Audit log for {user.username}
          </a>
        </div>
      )}
      <ConfirmDialog
        open={asking !== null}
        title={asking ? `${LIFECYCLE_WORDS[asking].button}: ${user.username}?` : ''}
        confirmLabel={asking ? LIFECYCLE_WORDS[asking].button : 'Confirm'}
        danger
        busy={busy}
        onConfirm={() => void run()}
        onCancel={() => setAsking(null)}
      >
        {asking ? <p>{lifecycleEffect(asking, user.username, revokeKeys)}</p> : null}
        {asking === 'sign_out' ? (
          <label className="check">
            <input type="checkbox" checked={revokeKeys} onChange={(e) => setRevokeKeys(e.target.checked)} /> Also revoke their API keys
          </label>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
