import { Field } from '../../components/ui.tsx';
import { SIGN_IN_LABELS } from './use-sign-in.ts';

/**
 * The one-time code a Graphistry's admin site asks for after the password
 * (django-otp): shown only once the site has asked, focused then, and kept
 * in the form alone (used for this sign-in, never stored).
 */
export function OtpField(props: { value: string; onChange(v: string): void; error?: string | undefined }) {
  return (
    <Field
      label={SIGN_IN_LABELS.otp}
      value={props.value}
      onChange={(v) => props.onChange(v.replace(/\s+/g, ''))}
      error={props.error}
      required
      autoFocus
      autoComplete="one-time-code"
      hint="From your authenticator app: the admin site asks for it on every sign-in."
    />
  );
}
