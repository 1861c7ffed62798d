import { useEffect, useState } from 'react';
import type { Profile } from '../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import { useApp } from '../stores/app-store.ts';
import { leaveObjection } from '../stores/leave-guard.ts';
import { useToasts } from '../stores/toast-store.ts';
import { InlineSignIn } from '../screens/connections/inline-sign-in.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { MenuButton } from './menu.tsx';
import { ErrorBanner } from './ui.tsx';

type Pending = { profile: Profile; signIn: string | null; error: ConsoleError | null } | null;
// `error` beside `signIn`: why a password is asked for (a Graphistry may ask for a one-time code too).

/**
 * Which connection is active and whether it answers. A menu button: moving
 * through the connections with the arrows changes nothing, only choosing one
 * (Enter or a click) switches (WCAG 3.2.2). Switching to one that needs a
 * password opens its sign-in right here, under the header; any other failure
 * is shown there too, as a sentence, with a way to retry.
 */
export function ConnectionSwitcher() {
  const status = useApp((s) => s.status);
  const profiles = useApp((s) => s.profiles);
  const host = useApp((s) => s.host);
  const switching = useApp((s) => s.switching);
  const [pending, setPending] = useState<Pending>(null);
  const [unsaved, setUnsaved] = useState<{ profile: Profile; message: string } | null>(null);
  const active = status?.connected ? (status.profile ?? null) : null;

  function choose(profile: Profile) {
    if (profile.id === active?.id) return setPending(null);
    const message = leaveObjection();
    if (message) return setUnsaved({ profile, message });
    void switchTo(profile);
  }

  async function switchTo(profile: Profile) {
    setPending(null);
    const error = await useApp.getState().switchTo(profile);
    if (!error) return done(profile);
    setPending(error.code === 'UNAUTHORIZED' ? { profile, signIn: error.message, error } : { profile, signIn: null, error });
  }

  function done(profile: Profile) {
    setPending(null);
    useToasts.getState().show('ok', `Connected to ${profile.name}`);
  }

  useEffect(() => {
    if (!pending) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPending(null);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [pending]);

  const offline = host === 'down';
  const state = offline ? 'offline' : switching ? 'off' : !status?.connected ? 'off' : status.healthy ? 'up' : 'down';
  const words = offline
    ? 'Offline: the console is not answering'
    : switching
      ? 'Connecting…'
      : !status?.connected
        ? 'Not connected'
        : status.healthy
          ? 'Online'
          : 'The server is not answering';
  const shown = switching ?? active;
  return (
    <div className="switcher">
      <span className={`dot ${state}`} aria-hidden="true" />
      <MenuButton
        buttonClassName="ghost switch-button"
        label={<span className="switch-name">{shown?.name ?? 'Not connected'}</span>}
        ariaLabel={`Connection: ${shown?.name ?? 'not connected'}`}
        menuLabel="Connections"
        disabled={offline || switching !== null}
        items={[
          ...profiles.map((p) => ({
            key: p.id,
            label: `${p.name}${p.has_credential || p.id === active?.id ? '' : ' (sign-in needed)'}`,
            checked: p.id === active?.id,
            onSelect: () => choose(p),
          })),
          { key: '__manage', label: 'Manage connections…', onSelect: () => useApp.getState().navigate({ name: 'connections' }) },
        ]}
      />
      <span className={`conn-state small ${state}`} role="status" title={status?.server_url ?? ''}>
        {words}
      </span>
      <ConfirmDialog
        open={unsaved !== null}
        title={`Switch to ${unsaved?.profile.name ?? ''}?`}
        confirmLabel="Switch and discard"
        cancelLabel="Stay"
        danger
        onConfirm={() => {
          const p = unsaved!.profile;
          setUnsaved(null);
          void switchTo(p);
        }}
        onCancel={() => setUnsaved(null)}
      >
        <p>{unsaved?.message}</p>
      </ConfirmDialog>
      {pending ? (
        <div className="header-popover" role="dialog" aria-label={`Connect to ${pending.profile.name}`}>
          {pending.signIn !== null ? (
            <InlineSignIn
              profile={pending.profile}
              reason={pending.signIn}
              asked={pending.error}
              onDone={() => done(pending.profile)}
              onCancel={() => setPending(null)}
            />
          ) : (
            <>
              <p className="popover-title">Could not connect to {pending.profile.name}</p>
              <ErrorBanner error={pending.error} onRetry={() => void switchTo(pending.profile)} />
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
