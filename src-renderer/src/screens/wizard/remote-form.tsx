import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { Field } from '../../components/ui.tsx';
import type { RemoteInput } from './wizard-flows.ts';
import { FormFooter, WizardForm } from './form-bits.tsx';
import { hostOf, normalizeUrl, splitError } from './wizard-text.ts';

// saveProfile reports `name` and `url`; signIn reports `username` and `password`.
const LABELS = { name: 'Connection name', url: 'Server URL', username: 'Username', password: 'Password' } as const;

/** Remote path: an address and a superuser's credentials. */
export function RemoteForm(props: { busy: boolean; error: ConsoleError | null; onSubmit(input: RemoteInput): void; onBack(): void }) {
  const [input, setInput] = useState<RemoteInput>({ name: '', url: '', username: '', password: '' });
  // The name follows the address's host until the admin types a name of their own.
  const [nameTouched, setNameTouched] = useState(false);
  const { fields, banner } = splitError(props.error, LABELS);

  function setUrl(url: string) {
    setInput((s) => ({ ...s, url, name: nameTouched ? s.name : url.trim() ? hostOf(normalizeUrl(url)) : '' }));
  }

  return (
    <WizardForm label="Connect to a Graphistry server" busy={props.busy} error={props.error} onSubmit={() => props.onSubmit(input)}>
      <h1 id="wizard-title">Connect to a Graphistry server</h1>
      <p>
        Sign in once with a <strong>superuser</strong> account. The console then keeps a personal API key named after this computer in the OS keychain,
        never your password.
      </p>
      <Field
        label={LABELS.name}
        value={input.name}
        onChange={(name) => {
          setNameTouched(name !== '');
          setInput((s) => ({ ...s, name }));
        }}
        error={fields.name}
        required
        autoFocus
        autoComplete="off"
        hint="How this server appears in Connections; the address's host name when left to itself."
      />
      <Field
        label={LABELS.url}
        type="url"
        value={input.url}
        onChange={setUrl}
        error={fields.url}
        required
        autoComplete="url"
        placeholder="https://graphistry.example.com"
      />
      <Field label={LABELS.username} value={input.username} onChange={(username) => setInput((s) => ({ ...s, username }))} error={fields.username} required autoComplete="username" />
      <Field
        label={LABELS.password}
        type="password"
        value={input.password}
        onChange={(password) => setInput((s) => ({ ...s, password }))}
        error={fields.password}
        required
        autoComplete="current-password"
      />
      <FormFooter busy={props.busy} submitLabel="Connect" busyText="Connecting…" banner={banner} onBack={props.onBack} plain />
    </WizardForm>
  );
}
