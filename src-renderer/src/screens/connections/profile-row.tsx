import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { Badge, ErrorBanner, Spinner, when } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import type { ProfileRow } from './connections-model.ts';
import { InlineSignIn } from './inline-sign-in.tsx';

export const COLUMNS = 6;

/** One profile, and under it (when needed) its sign-in form or what went wrong. */
export function ProfileRowView(props: { row: ProfileRow; onSignOut(): void; onForget(): void }) {
  const { row } = props;
  const p = row.profile;
  const [busy, setBusy] = useState(false);
  const [signIn, setSignIn] = useState<string | null>(null);
  const [asked, setAsked] = useState<ConsoleError | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);

  async function connected() {
    const app = useApp.getState();
    await app.refresh();
    useToasts.getState().show('ok', `Connected to ${p.name}`);
    app.signedIn();
  }

  async function connect() {
    setBusy(true);
    setError(null);
    setSignIn(null);
    const r = await call('connect', { profileId: p.id });
    setBusy(false);
    if (r.ok) return connected();
    // No saved sign-in (its key was revoked, or there is no keychain to keep one): ask for the password right here.
    if (r.error.code === 'UNAUTHORIZED') {
      setSignIn(r.error.message);
      setAsked(r.error);
    } else if (r.error.code === 'NO_KEYCHAIN') setSignIn('No OS keychain here, so the console keeps no sign-in: sign in with your password.');
    else setError(r.error);
    // Connecting a bundled profile starts its server: the card should say so.
    await useApp.getState().refresh();
  }

  return (
    <>
      <tr className={row.active ? 'active-row' : undefined} aria-current={row.active ? 'true' : undefined}>
        <td className="cell-wrap">
          <span className="cell-name">{p.name}</span> {row.active ? <Badge on>Active</Badge> : null}
          <div className="muted small">{row.kind}</div>
        </td>
        <td className="cell-wrap cell-address">{breakable(row.address)}</td>
        <td>{row.user ?? <span className="muted">—</span>}</td>
        <td>{p.has_credential ? 'Yes' : 'No'}</td>
        <td>{when(p.last_used_at, 'Never')}</td>
        <td className="row-actions">
          <button type="button" className="small" disabled={busy || !row.canConnect} onClick={() => void connect()}>
            Connect
          </button>
          <button type="button" className="secondary small" disabled={busy || !row.canSignOut} onClick={props.onSignOut}>
            Sign out
          </button>
          <button type="button" className="danger small" disabled={busy} onClick={props.onForget}>
            Forget
          </button>
          {busy ? <Spinner label={`Connecting to ${p.name}`} /> : null}
        </td>
      </tr>
      {signIn !== null || error ? (
        <tr className="detail-row">
          <td colSpan={COLUMNS}>
            {signIn !== null ? (
              <InlineSignIn profile={p} reason={signIn} asked={asked} onDone={() => void connected()} onCancel={() => setSignIn(null)} />
            ) : (
              <ErrorBanner error={error} onRetry={() => void connect()} />
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** A URL may wrap after its scheme rather than in the middle of the host or port. */
function breakable(text: string) {
  const at = text.indexOf('://');
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at + 3)}
      <wbr />
      {text.slice(at + 3)}
    </>
  );
}
