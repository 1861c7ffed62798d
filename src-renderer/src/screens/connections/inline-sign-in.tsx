import { useState, type FormEvent } from 'react';
import type { Profile } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { Field } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { BusyLine, PlainBanner } from '../wizard/form-bits.tsx';
import { explainSignInError, hostOf, splitError } from '../wizard/wizard-text.ts';

const LABELS = { username: 'Username', password: 'Password' } as const;

/**
 * Shown under a profile whose Connect answered UNAUTHORIZED (no saved sign-in,
 * or its key was revoked): a password sign-in, after which the console keeps
 * a key again.
 */
export function InlineSignIn(props: { profile: Profile; host: string; reason: string; onDone(): void; onCancel(): void }) {
  const [username, setUsername] = useState(props.profile.username ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const { fields, banner } = splitError(error, LABELS);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await call('signIn', { profileId: props.profile.id, username: username.trim(), password });
    setBusy(false);
    if (r.ok) props.onDone();
    else setError(explainSignInError(r.error, hostOf(props.host)));
  }

  return (
    <form className="inline-form" aria-label={`Sign in to ${props.profile.name}`} onSubmit={(e) => void submit(e)} noValidate>
      <p className="muted small">{props.reason}</p>
      <div className="inline-fields">
        {/* With the username remembered, the password is what is left to type. */}
        <Field label={LABELS.username} value={username} onChange={setUsername} error={fields.username} required autoFocus={!username} autoComplete="username" />
        <Field label={LABELS.password} type="password" value={password} onChange={setPassword} error={fields.password} required autoFocus={Boolean(username)} autoComplete="current-password" />
      </div>
      <PlainBanner error={banner} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <button type="button" className="secondary" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
        <BusyLine busy={busy} text="Signing in…" />
      </div>
    </form>
  );
}
