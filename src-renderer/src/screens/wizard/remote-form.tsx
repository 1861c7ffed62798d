import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { Field } from '../../components/ui.tsx';
import type { RemoteInput } from './wizard-flows.ts';
import { FormFooter, WizardForm } from './form-bits.tsx';
import { hostOf, normalizeUrl, splitError } from './wizard-text.ts';
import { TrustCertificate } from './trust-certificate.tsx';
import { OtpField } from '../sign-in/otp-field.tsx';
import { asksForCode } from '../sign-in/use-sign-in.ts';

// saveProfile reports `name`, `url`, `admin_path` and `ca_file`; signIn reports `username` and `password` (and `admin_path` when it is wrong).
const LABELS = {
  name: 'Connection name',
  url: 'Server URL',
  username: 'Username',
  password: 'Password',
  otp: 'One-time code',
  admin_path: 'Admin path',
  ca_file: 'Certificate authority file',
} as const;

/** Remote path: an address (a Graphistry, or another Graphistry Admin server) and a superuser's credentials. */
export function RemoteForm(props: { busy: boolean; error: ConsoleError | null; onSubmit(input: RemoteInput): void; onBack(): void }) {
  const [input, setInput] = useState<RemoteInput>({ name: '', url: '', username: '', password: '', admin_path: '/admin/', ca_file: '' });
  // The name follows the address's host until the admin types a name of their own.
  const [nameTouched, setNameTouched] = useState(false);
  const { fields, banner } = splitError(props.error, LABELS);
  // Shown once the admin site has asked for a one-time code (django-otp), and from then on in this form.
  const [needsOtp, setNeedsOtp] = useState(false);
  if (asksForCode(props.error) && !needsOtp) setNeedsOtp(true);

  function setUrl(url: string) {
    setInput((s) => ({ ...s, url, name: nameTouched ? s.name : url.trim() ? hostOf(normalizeUrl(url)) : '' }));
  }

  return (
    <WizardForm label="Connect to a Graphistry server" busy={props.busy} error={props.error} onSubmit={() => props.onSubmit(input)}>
      <h1 id="wizard-title">Connect to a Graphistry server</h1>
      <p>
        Sign in once with a <strong>superuser</strong> account. The console finds out by itself whether the address is a Graphistry or a Graphistry Admin
        server. For a Graphistry it keeps your admin password in the OS keychain (its admin site has no other way in); for a Graphistry Admin server, a personal
        API key named after this computer. Never in a file.
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
      <Field
        label={LABELS.username}
        value={input.username}
        onChange={(username) => setInput((s) => ({ ...s, username }))}
        error={fields.username}
        required
        autoComplete="username"
      />
      <Field
        label={LABELS.password}
        type="password"
        value={input.password}
        onChange={(password) => setInput((s) => ({ ...s, password }))}
        error={fields.password}
        required
        autoComplete="current-password"
      />
      {needsOtp ? <OtpField value={input.otp ?? ''} onChange={(otp) => setInput((s) => ({ ...s, otp }))} error={fields.otp} /> : null}
      <details className="advanced" open={Boolean(fields.admin_path || fields.ca_file) || undefined}>
        <summary>Admin path and certificate</summary>
        <Field
          label={LABELS.admin_path}
          value={input.admin_path}
          onChange={(admin_path) => setInput((s) => ({ ...s, admin_path }))}
          error={fields.admin_path}
          autoComplete="off"
          hint="Where the Graphistry's Django admin site lives (its DJANGO_ADMIN_URL); /admin/ unless it was moved."
        />
        <Field
          label={LABELS.ca_file}
          value={input.ca_file}
          onChange={(ca_file) => setInput((s) => ({ ...s, ca_file }))}
          error={fields.ca_file}
          autoComplete="off"
          placeholder="/etc/ssl/private-ca.pem"
          hint="For an https:// server whose certificate comes from your own certificate authority: the authority's PEM file, trusted for this server only."
        />
      </details>
      {props.error?.code === 'TLS' && /^https:/i.test(normalizeUrl(input.url)) ? (
        <TrustCertificate
          url={normalizeUrl(input.url)}
          busy={props.busy}
          onAllow={(fingerprint) => props.onSubmit({ ...input, pinned_certificate: fingerprint })}
        />
      ) : null}
      <FormFooter busy={props.busy} submitLabel="Connect" busyText="Connecting…" banner={banner} onBack={props.onBack} plain />
    </WizardForm>
  );
}
