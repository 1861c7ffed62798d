import { ErrorBanner, Spinner, when } from '../../components/ui.tsx';
import { OPEN_REGISTRATION, PUBLIC_URL, SSO_SIGNUP, STAFF_BY_DEFAULT, isOn, lastChanged, textOf } from './settings-logic.ts';
import { PublicUrlField, SignupLink } from './share-links.tsx';
import { useApp } from '../../stores/app-store.ts';
import { SettingSwitch } from './setting-switch.tsx';
import { useSettings } from './use-settings.ts';
import { OtherSettings } from './other-settings.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { useReloads } from '../../lib/use-reloads.ts';

/** Who may sign up on their own, and with which access. */
export function RegistrationCard() {
  const { settings, error, loading, pending, load, change } = useSettings();
  useReloads(() => void load());
  const find = (key: string) => settings?.find((s) => s.key === key);
  const serverUrl = useApp((s) => s.status?.server_url ?? null);
  // A Graphistry's own sign-up page is not the bundled server's: no link is offered for it.
  const ownSignupPage = useNotOffered('signup') === null;
  /** A boolean setting the server offers, as a switch with its sentence; nothing when it is not offered. */
  const toggle = (key: string, label: string, explain: string) => {
    const setting = find(key);
    if (!setting) return null;
    return (
      <SettingSwitch
        label={label}
        explain={explain}
        on={isOn(settings, key)}
        busy={pending.has(key)}
        note={lastChanged(setting, when)}
        onChange={(v) => void change(key, v)}
      />
    );
  };
  return (
    <section className="card" aria-labelledby="registration-h" aria-busy={loading}>
      <h2 id="registration-h">Registration</h2>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {settings === null ? (
        loading ? (
          <div className="loading-block">
            <Spinner label="Loading settings" /> <span className="muted">Loading settings…</span>
          </div>
        ) : null
      ) : (
        <>
          {toggle(
            OPEN_REGISTRATION,
            'Open registration',
            'Anyone who can reach the server may create an account. Off: invite-only (the default after the first administrator).',
          )}
          {find(OPEN_REGISTRATION) && ownSignupPage ? (
            <SignupLink publicUrl={textOf(settings, PUBLIC_URL)} serverUrl={serverUrl} open={isOn(settings, OPEN_REGISTRATION)} />
          ) : null}
          {toggle(STAFF_BY_DEFAULT, 'Make self-registered users staff', 'New sign-ups get staff access (notebook server and investigation tool).')}
          {toggle(
            SSO_SIGNUP,
            'Accounts for single sign-on users',
            'People who sign in through single sign-on (OIDC) get an account on their first sign-in. Off: an administrator must create or invite the account first.',
          )}
          {find(PUBLIC_URL) ? (
            <PublicUrlField value={textOf(settings, PUBLIC_URL)} busy={pending.has(PUBLIC_URL)} onSave={(v) => change(PUBLIC_URL, v)} />
          ) : null}
          <OtherSettings settings={settings} pending={pending} change={(k, v) => void change(k, v)} />
        </>
      )}
    </section>
  );
}
