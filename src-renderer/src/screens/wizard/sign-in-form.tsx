import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { Field } from '../../components/ui.tsx';
import { useApp } from '../../stores/app-store.ts';
import { FormFooter, WizardForm } from './form-bits.tsx';
import { splitError } from './wizard-text.ts';

const LABELS = { username: 'Username', password: 'Password' } as const;

/** The bundled server already has accounts: sign in with a superuser's password, once. */
export function SignInForm(props: {
  initialUsername?: string | undefined;
  busy: boolean;
  error: ConsoleError | null;
  onSubmit(username: string, password: string): void;
  onBack(): void;
}) {
  const [username, setUsername] = useState(props.initialUsername ?? '');
  const [password, setPassword] = useState('');
  const keychain = useApp((s) => s.status?.keychain.available ?? true);
  const { fields, banner } = splitError(props.error, LABELS);

  return (
    <WizardForm label="Sign in as an administrator" busy={props.busy} error={props.error} onSubmit={() => props.onSubmit(username, password)}>
      <h1 id="wizard-title">Sign in as an administrator</h1>
      <p>
        This server already has accounts, so its first administrator exists. Sign in with a <strong>superuser</strong> account.{' '}
        {keychain
          ? 'The console then keeps a personal API key for this computer in the OS keychain, never your password.'
          : 'With no OS keychain here, the console keeps nothing and you will sign in each time.'}
      </p>
      <Field label={LABELS.username} value={username} onChange={setUsername} error={fields.username} required autoFocus autoComplete="username" />
      <Field label={LABELS.password} type="password" value={password} onChange={setPassword} error={fields.password} required autoComplete="current-password" />
      <FormFooter busy={props.busy} submitLabel="Sign in" busyText="Signing in…" banner={banner} onBack={props.onBack} plain />
    </WizardForm>
  );
}
