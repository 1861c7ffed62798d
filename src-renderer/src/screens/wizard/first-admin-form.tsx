import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { RegistrationState } from '../../../../src-shared/domain.ts';
import { Field } from '../../components/ui.tsx';
import type { FirstAdminInput } from './wizard-flows.ts';
import { FormFooter, WizardForm } from './form-bits.tsx';
import { splitError } from './wizard-text.ts';

const LABELS = { username: 'Username', email: 'Email', password: 'Password', password2: 'Password again', setup_token: 'Setup token' } as const;

/** The first sign-up on an empty server: it becomes the administrator and closes registration. */
export function FirstAdminForm(props: {
  registration: RegistrationState;
  busy: boolean;
  error: ConsoleError | null;
  onSubmit(input: FirstAdminInput): void;
  onBack(): void;
}) {
  const [input, setInput] = useState<FirstAdminInput>({ username: '', email: '', password: '', password2: '', setupToken: '' });
  const set = (k: keyof FirstAdminInput) => (v: string) => setInput((s) => ({ ...s, [k]: v }));
  const { fields, banner } = splitError(props.error, LABELS);
  const rules = props.registration.password_rules;

  return (
    <WizardForm label="Create the first administrator" busy={props.busy} error={props.error} onSubmit={() => props.onSubmit(input)}>
      <h1 id="wizard-title">Create the first administrator</h1>
      <p>
        This server has no accounts yet. The account you create here becomes <strong>superuser</strong> and <strong>staff</strong>: it manages every user, key
        and setting. The moment it exists, <strong>registration closes</strong> and the server is invite-only; you can reopen it later under Registration &amp;
        settings.
      </p>
      <Field label={LABELS.username} value={input.username} onChange={set('username')} error={fields.username} required autoFocus autoComplete="username" />
      <Field label={LABELS.email} type="email" value={input.email} onChange={set('email')} error={fields.email} autoComplete="email" />
      <Field
        label={LABELS.password}
        type="password"
        value={input.password}
        onChange={set('password')}
        error={fields.password}
        required
        autoComplete="new-password"

        hint={
          rules.length ? (
            <>
              The server asks for a password that is:
              <ul className="rules">
                {rules.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </>
          ) : undefined
        }
      />
      <Field
        label={LABELS.password2}
        type="password"
        value={input.password2}
        onChange={set('password2')}
        error={fields.password2}
        required
        autoComplete="new-password"
      />
      {props.registration.first_signup_needs_setup_token ? (
        <Field
          label={LABELS.setup_token}
          value={input.setupToken}
          onChange={set('setupToken')}
          error={fields.setup_token}
          required
          autoComplete="off"

          hint="This server was started with a setup token (--setup-token or SETUP_TOKEN); the first sign-up must give it."
        />
      ) : null}
      <FormFooter busy={props.busy} submitLabel="Create administrator" busyText="Creating the administrator…" banner={banner} onBack={props.onBack} />
    </WizardForm>
  );
}
