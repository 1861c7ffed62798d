import { useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { User } from '../../../../src-shared/domain.ts';
import { ErrorBanner, Field, Spinner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { bannerError, checkPasswordPair, errorsByField, withoutKey } from './editor-logic.ts';
import { StrengthHint } from './strength-hint.tsx';

/**
 * Setting a password is its own form with its own button: it is not part of
 * "Save", and the server answers it with its own rules (too short, too
 * common, same as the username), shown at the field.
 */
export function PasswordSection({ user }: { user: User }) {
  const toast = useToasts((s) => s.show);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const connection = useConnection();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const local = checkPasswordPair(password, again);
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy(true);
    const r = await call('setUserPassword', { connection, id: user.id, password });
    setBusy(false);
    if (!r.ok) {
      setErrors(errorsByField(r.error));
      return setBanner(bannerError(r.error, ['password']));
    }
    toast('ok', `Password set for ${r.value.username}`);
    setPassword('');
    setAgain('');
    setErrors({});
    setRound((n) => n + 1);
  }

  return (
    <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="password-title" key={round}>
      <h2 id="password-title">Password</h2>
      <p className="muted small">Passwords are stored only as a hash, so they cannot be shown. A new one ends the sessions signed in with the old one.</p>
      <div className="grid2">
        <Field
          label="New password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onChange={(v) => (setPassword(v), setErrors((x) => withoutKey(x, 'password')))}
          error={errors.password}
          hint={<StrengthHint password={password} username={user.username} />}
        />
        <Field
          label="New password again"
          type="password"
          required
          autoComplete="new-password"
          value={again}
          onChange={(v) => (setAgain(v), setErrors((x) => withoutKey(x, 'password2')))}
          error={errors.password2}
        />
      </div>
      <ErrorBanner error={banner} />
      <div className="actions">
        <button type="submit" className="secondary" disabled={busy || password === ''}>
          Set password
        </button>
        <span className="busy-slot">{busy ? <Spinner label="Setting the password" /> : null}</span>
      </div>
    </form>
  );
}
