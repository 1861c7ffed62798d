import { useEffect, useRef } from 'react';
import { Field } from '../../components/ui.tsx';
import { describeError } from '../../lib/api.ts';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { FormFooter, WizardForm } from '../wizard/form-bits.tsx';
import { SIGN_IN_LABELS as LABELS, profileHost, useSignIn } from './use-sign-in.ts';
import { OtpField } from './otp-field.tsx';
import type { Profile } from '../../../../src-shared/console-api.ts';

/**
 * A returning admin's way back in: the connection they used last, its
 * username filled in, a password to type. Shown on relaunch when the
 * keychain holds no working sign-in for it (none kept, no keychain, or a
 * key that was revoked), never the first-run wizard.
 */
export function SignInScreen({ profileId }: { profileId: string }) {
  const profile = useApp((s) => s.profiles.find((p) => p.id === profileId) ?? null);
  const navigate = useApp((s) => s.navigate);
  // The connection is gone (forgotten in another window): Connections lists what is left.
  useEffect(() => {
    if (!profile) navigate({ name: 'connections' });
  }, [profile, navigate]);
  return profile ? <SignInCard key={profile.id} profile={profile} /> : null;
}

function SignInCard({ profile }: { profile: Profile }) {
  const navigate = useApp((s) => s.navigate);
  const notice = useApp((s) => s.signInNotice);
  const keychain = useApp((s) => s.status?.keychain.available ?? true);
  const bundledUrl = useApp((s) => s.server?.url ?? null);
  const s = useSignIn(
    profile,
    () => {
      useToasts.getState().show('ok', `Signed in to ${profile.name}`);
      useApp.getState().signedIn();
    },
    notice,
  );
  const heading = useRef<HTMLHeadingElement>(null);
  useTitle(`Sign in to ${profile.name}`);

  const where = profile.kind === 'remote' ? (profile.url ?? profile.name) : `The bundled server on this computer${bundledUrl ? ` (${bundledUrl})` : ''}`;
  return (
    <section className="wizard-step sign-in-card" aria-labelledby="sign-in-title">
      <p className="eyebrow">Welcome back</p>
      <WizardForm label={`Sign in to ${profile.name}`} busy={s.busy} error={s.error} onSubmit={() => void s.submit()}>
        <h1 id="sign-in-title" ref={heading}>
          Sign in to {profile.name}
        </h1>
        <p className="muted">
          {where} · with a <strong>superuser</strong> account.{' '}
          {keychain
            ? 'The console then keeps a key for this computer in the OS keychain, never your password.'
            : 'This computer has no OS keychain, so the console keeps nothing and asks each time.'}
        </p>
        {notice && !s.error ? (
          <div className="banner warn" role="note">
            <span>{notice.code === 'UNAUTHORIZED' ? notice.message : `The saved sign-in could not be used: ${describeError(notice)}`}</span>
          </div>
        ) : null}
        <Field
          label={LABELS.username}
          value={s.username}
          onChange={s.setUsername}
          error={s.fields.username}
          required
          autoFocus={!s.username}
          autoComplete="username"
        />
        <Field
          label={LABELS.password}
          type="password"
          value={s.password}
          onChange={s.setPassword}
          error={s.fields.password}
          required
          autoFocus={Boolean(s.username)}
          autoComplete="current-password"
        />
        {s.needsOtp ? <OtpField value={s.otp} onChange={s.setOtp} error={s.fields.otp} /> : null}
        <FormFooter busy={s.busy} submitLabel="Sign in" busyText={`Signing in to ${profileHost(profile, bundledUrl)}…`} banner={s.banner} plain />
      </WizardForm>
      <div className="actions sign-in-other">
        <button type="button" className="ghost" onClick={() => navigate({ name: 'connections' })}>
          Use another connection
        </button>
      </div>
    </section>
  );
}
