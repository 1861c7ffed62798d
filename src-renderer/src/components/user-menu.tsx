import { useEffect, useId, useRef, useState } from 'react';
import { call } from '../lib/api.ts';
import { useApp } from '../stores/app-store.ts';
import { useToasts } from '../stores/toast-store.ts';
import { signOutMessage } from '../screens/connections/connections-model.ts';

/** The signed-in admin's menu: who, their own keys, and Sign out (which lands on this connection's sign-in card). */
export function UserMenu() {
  const status = useApp((s) => s.status);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', close);
    document.addEventListener('mousedown', close);
    box.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('mousedown', close);
    };
  }, [open]);

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
    setOpen(false);
    if (!r.ok) return useToasts.getState().show('error', r.error.message);
    useToasts.getState().show('ok', signOutMessage(profile.name, r.value));
    app.navigate({ name: 'sign-in', profileId: profile.id });
  }
  const go = (to: 'keys' | 'connections') => {
    setOpen(false);
    useApp.getState().navigate({ name: to });
  };

  return (
    <div className="user-menu" ref={box}>
      <button type="button" className="ghost user-button" aria-haspopup="menu" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        {user.username} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div className="menu" role="menu" id={id} aria-label={`${user.username} on ${profile.name}`}>
          <p className="menu-head small muted" role="presentation">
            Signed in as <strong>{user.username}</strong> to {profile.name}
          </p>
          <button type="button" role="menuitem" onClick={() => go('keys')}>
            Your API keys
          </button>
          <button type="button" role="menuitem" onClick={() => go('connections')}>
            Connections
          </button>
          <button type="button" role="menuitem" disabled={busy} onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}
