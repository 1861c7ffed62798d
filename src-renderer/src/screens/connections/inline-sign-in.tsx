import type { FormEvent } from 'react';
import type { Profile } from '../../../../src-shared/console-api.ts';
import { Field } from '../../components/ui.tsx';
import { BusyLine, PlainBanner } from '../wizard/form-bits.tsx';
import { SIGN_IN_LABELS as LABELS, useSignIn } from '../sign-in/use-sign-in.ts';
import { OtpField } from '../sign-in/otp-field.tsx';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';

/**
 * A password sign-in in place: under a row of Connections whose Connect
 * answered that it needs one (no saved sign-in, or its key was revoked), and
 * under the header's switcher. After it the console keeps a key again.
 */
export function InlineSignIn(props: { profile: Profile; reason: string; asked?: ConsoleError | null; onDone(): void; onCancel(): void }) {
  const s = useSignIn(props.profile, props.onDone, props.asked ?? null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void s.submit();
  };

  return (
    <form className="inline-form" aria-label={`Sign in to ${props.profile.name}`} onSubmit={submit} noValidate>
      <p className="muted small">{props.reason}</p>
      <div className="inline-fields">
        {/* With the username remembered, the password is what is left to type. */}
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
      </div>
      <PlainBanner error={s.banner} />
      <div className="actions">
        <button type="submit" disabled={s.busy}>
          Sign in
        </button>
        <button type="button" className="secondary" onClick={props.onCancel} disabled={s.busy}>
          Cancel
        </button>
        <BusyLine busy={s.busy} text="Signing in…" />
      </div>
    </form>
  );
}
