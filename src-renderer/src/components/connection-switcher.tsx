import { useState } from 'react';
import { useApp } from '../stores/app-store.ts';
import { call } from '../lib/api.ts';
import { useToasts } from '../stores/toast-store.ts';

/** Which connection is active and whether it answers; switch, sign out, or manage connections. */
export function ConnectionSwitcher() {
  const { status, profiles, refresh, navigate } = useApp();
  const toast = useToasts((s) => s.show);
  const [busy, setBusy] = useState(false);
  const active = status?.profile ?? null;

  async function switchTo(profileId: string) {
    if (!profileId || profileId === active?.id) return;
    setBusy(true);
    const r = await call('connect', { profileId });
    setBusy(false);
    await refresh();
    if (r.ok) {
      toast('ok', `Connected to ${r.value.profile?.name ?? 'the server'}`);
      navigate({ name: 'users' });
    } else {
      toast('error', r.error.message);
      navigate({ name: 'connections' });
    }
  }

  return (
    <div className="switcher">
      <span className={`dot ${status?.connected ? (status.healthy ? 'up' : 'down') : 'off'}`} aria-hidden="true" />
      <label className="skip" htmlFor="profile-switch">
        Connection
      </label>
      <select id="profile-switch" value={active?.id ?? ''} disabled={busy} onChange={(e) => void switchTo(e.target.value)}>
        {!active ? <option value="">Not connected</option> : null}
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.has_credential || p.id === active?.id ? '' : ' (sign-in needed)'}
          </option>
        ))}
      </select>
      <span className="muted small" title={status?.server_url ?? ''}>
        {status?.connected ? `${status.user?.username ?? ''} · ${status.healthy ? 'online' : 'not answering'}` : 'offline'}
      </span>
    </div>
  );
}
