import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { copyText } from '../../lib/copy.ts';
import { ErrorBanner, Spinner, when } from '../../components/ui.tsx';

/**
 * A fresh JWT for the signed-in admin, straight to the clipboard. It is never
 * shown: unlike a key it cannot be revoked on its own, only outlived, so the
 * fewer places it appears the better.
 */
export function JwtCard() {
  const [busy, setBusy] = useState(false);
  const [expiresAt, setExpiresAt] = useState<string | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const connection = useConnection();

  async function copyJwt() {
    setBusy(true);
    const r = await call('mintJwt', { connection });
    if (!r.ok) {
      setBusy(false);
      setError(r.error);
      return;
    }
    setError(null);
    const copied = await copyText(r.value.token);
    setBusy(false);
    if (copied) setExpiresAt(r.value.expires_at);
  }

  return (
    <section className="card" aria-labelledby="jwt-card-h">
      <h2 id="jwt-card-h">JWT for API use</h2>
      <p className="muted">
        A short-lived token for your own account, for tools that take a <code>Bearer</code> token instead of a key. Each press mints a new one.
      </p>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copyJwt()} disabled={busy}>
          {busy ? <Spinner label="Minting a JWT" /> : null}
          Copy JWT
        </button>
        <span className="small muted" aria-live="polite">
          {expiresAt ? `The copied JWT expires ${when(expiresAt)}.` : null}
        </span>
      </div>
    </section>
  );
}
