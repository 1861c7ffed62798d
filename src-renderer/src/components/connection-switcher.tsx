import { useEffect, useState } from 'react';
import type { Profile } from '../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import { call } from '../lib/api.ts';
import { useApp } from '../stores/app-store.ts';
import { useToasts } from '../stores/toast-store.ts';
import { InlineSignIn } from '../screens/connections/inline-sign-in.tsx';
import { ErrorBanner } from './ui.tsx';

type Pending = { profile: Profile; signIn: string | null; error: ConsoleError | null } | null;

/**
 * Which connection is active and whether it answers. Switching to one that
 * needs a password opens its sign-in right here, under the header; any other
 * failure is shown there too, as a sentence, with a way to retry.
 */
export function ConnectionSwitcher() {
  const { status, profiles, host } = useApp();
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const active = status?.connected ? (status.profile ?? null) : null;

  async function switchTo(profileId: string) {
    const profile = profiles.find((p) => p.id === profileId);
    if (!profile || profileId === active?.id) return setPending(null);
    setBusy(true);
    const r = await call('connect', { profileId });
    setBusy(false);
    const app = useApp.getState();
    await app.refresh();
    if (r.ok) return done(profile);
    setPending(r.error.code === 'UNAUTHORIZED' ? { profile, signIn: r.error.message, error: null } : { profile, signIn: null, error: r.error });
  }

  function done(profile: Profile) {
    setPending(null);
    useToasts.getState().show('ok', `Connected to ${profile.name}`);
    useApp.getState().navigate({ name: 'users' });
  }

  useEffect(() => {
    if (!pending) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPending(null);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [pending]);

  const offline = host === 'down';
  const state = offline ? 'offline' : !status?.connected ? 'off' : status.healthy ? 'up' : 'down';
  const words = offline ? 'Offline: the console is not answering' : !status?.connected ? 'Not connected' : status.healthy ? 'Online' : 'The server is not answering';
  return (
    <div className="switcher">
      <span className={`dot ${state}`} aria-hidden="true" />
      <label className="skip" htmlFor="profile-switch">
        Connection
      </label>
      <select id="profile-switch" value={pending?.profile.id ?? active?.id ?? ''} disabled={busy || offline} onChange={(e) => void switchTo(e.target.value)}>
        {!active ? <option value="">Not connected</option> : null}
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.has_credential || p.id === active?.id ? '' : ' (sign-in needed)'}
          </option>
        ))}
      </select>
      <span className={`conn-state small ${state}`} role="status" title={status?.server_url ?? ''}>
        {words}
      </span>
      {pending ? (
        <div className="header-popover" role="dialog" aria-label={`Connect to ${pending.profile.name}`}>
          {pending.signIn !== null ? (
            <InlineSignIn profile={pending.profile} reason={pending.signIn} onDone={() => done(pending.profile)} onCancel={() => setPending(null)} />
          ) : (
            <>
              <p className="popover-title">Could not connect to {pending.profile.name}</p>
              <ErrorBanner error={pending.error} onRetry={() => void switchTo(pending.profile.id)} />
              <div className="actions">
                <button type="button" className="secondary small" onClick={() => (setPending(null), useApp.getState().navigate({ name: 'connections' }))}>
                  Manage connections
                </button>
                <button type="button" className="ghost small" onClick={() => setPending(null)}>
                  Close
                </button>
              </div>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
