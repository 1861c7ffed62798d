import { useState } from 'react';
import { call } from '../lib/api.ts';
import { useApp } from '../stores/app-store.ts';
import { useToasts } from '../stores/toast-store.ts';
import { signOutMessage } from '../screens/connections/connections-model.ts';
import { MenuButton } from './menu.tsx';

/** The signed-in admin's menu: who, their own keys, and Sign out (which lands on this connection's sign-in card). */
export function UserMenu() {
  const status = useApp((s) => s.status);
  const [busy, setBusy] = useState(false);
  const user = status?.connected ? status.user : null;
  const profile = status?.profile ?? null;
  if (!user || !profile) return null;

  async function signOut() {
    if (!profile) return;
    setBusy(true);
    const r = await call('signOut', { profileId: profile.id });
    const app = useApp.getState();
    await app.refresh();
    setBusy(false);
    if (!r.ok) return useToasts.getState().show('error', r.error.message);
    useToasts.getState().show('ok', signOutMessage(profile.name, r.value));
    app.navigate({ name: 'sign-in', profileId: profile.id });
  }
  const go = (to: 'keys' | 'connections') => useApp.getState().navigate({ name: to });

  return (
    <MenuButton
      className="user-menu"
      buttonClassName="ghost user-button"
      label={user.username}
      ariaLabel={`Account: ${user.username}`}
      menuLabel={`${user.username} on ${profile.name}`}
      head={
        <p className="menu-head small muted">
          Signed in as <strong>{user.username}</strong> to {profile.name}
        </p>
      }
      items={[
        { key: 'keys', label: 'Your API keys', onSelect: () => go('keys') },
        { key: 'connections', label: 'Connections', onSelect: () => go('connections') },
        { key: 'sign-out', label: 'Sign out', disabled: busy, onSelect: () => void signOut() },
      ]}
    />
  );
}
