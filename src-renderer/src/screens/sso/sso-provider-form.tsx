import { useId, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { SSO_TEMPLATES, ssoProviderNameSchema, type SsoProvider, type SsoTemplate } from '../../../../src-shared/sso-schemas.ts';
import { callbackPath, issuerFor } from '../../../../src-shared/sso-templates.ts';
import { Check, ErrorBanner, Field, Spinner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { DEFAULT_SCOPES, ISSUER_HINT, TEMPLATE_LABEL, providerChanges as changes, redirectUri, ssoFieldErrors } from './sso-logic.ts';
import { RedirectUri } from './redirect-uri.tsx';

/**
 * Add an IdP from a template, or change one (not its name: it is in the
 * redirect URI registered at the IdP). The client secret is write-only: the
 * field is emptied the moment the form is sent, whatever the answer, and an
 * edit only replaces it when something is typed.
 */
export function SsoProviderForm(props: { org: string | null; baseUrl: string; editing: SsoProvider | null; onSaved(p: SsoProvider): void; onCancel(): void }) {
  const { org, editing } = props;
  const connection = useConnection();
  const [template, setTemplate] = useState<SsoTemplate>(editing?.template ?? 'keycloak');
  const [name, setName] = useState(editing?.name ?? '');
  const [issuer, setIssuer] = useState(editing?.issuer ?? '');
  const [clientId, setClientId] = useState(editing?.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [dropSecret, setDropSecret] = useState(false);
  const [scopes, setScopes] = useState(editing?.scopes ?? DEFAULT_SCOPES);
  const [link, setLink] = useState(editing?.link_verified_email ?? false);
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const id = useId();
  const fields = ssoFieldErrors(error);
  const filled = issuer.trim() ? issuerFor(template, issuer.trim()) : '';
  const parsedName = ssoProviderNameSchema.safeParse(name);
  const path = editing ? editing.redirect_path : parsedName.success ? callbackPath(org, parsedName.data) : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const typedSecret = secret;
    // Out of the page's state before the request leaves: a failed add is typed again.
    setSecret('');
    setBusy(true);
    const scope = org === null ? {} : { org };
    const r = editing
      ? await call('updateSsoProvider', {
          connection,
          ...scope,
          name: editing.name,
          patch: changes(editing, { template, issuer, clientId, typedSecret, dropSecret, scopes, link }),
        })
      : await call('addSsoProvider', {
          connection,
          ...scope,
          provider: {
            name,
            template,
            issuer,
            client_id: clientId,
            ...(typedSecret ? { client_secret: typedSecret } : {}),
            scopes,
            enabled,
            link_verified_email: link,
          },
        });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    props.onSaved(r.value);
  }

  const title = editing ? `Edit ${editing.name}` : 'Add an IdP';
  return (
    <form className="sso-form" onSubmit={(e) => void submit(e)} noValidate aria-label={title} aria-busy={busy || undefined}>
      <h3>{title}</h3>
      <ErrorBanner error={error} />
      <div className="grid2">
        <div className="field">
          <label htmlFor={`${id}-t`}>Template</label>
          <select id={`${id}-t`} value={template} onChange={(e) => setTemplate(e.target.value as SsoTemplate)}>
            {SSO_TEMPLATES.map((t) => (
              <option key={t} value={t}>
                {TEMPLATE_LABEL[t]}
              </option>
            ))}
          </select>
        </div>
        {editing ? null : (
          <Field
            label="Name"
            required
            value={name}
            onChange={setName}
            error={fields.name}
            autoComplete="off"
            placeholder="corp"
            hint="On the sign-in button (“Sign in with …”) and in the redirect URI; it cannot change later."
          />
        )}
        <Field
          label="Issuer (host URL)"
          required
          type="url"
          value={issuer}
          onChange={setIssuer}
          error={fields.issuer}
          autoComplete="off"
          placeholder={ISSUER_HINT[template].placeholder}
          hint={
            <>
              {ISSUER_HINT[template].hint}
              {filled && filled !== issuer.trim() ? (
                <>
                  {' '}
                  Saved as <code>{filled}</code>.
                </>
              ) : null}
            </>
          }
        />
        <Field label="Client ID" required value={clientId} onChange={setClientId} error={fields.client_id} autoComplete="off" />
        <Field
          label={editing ? 'Replace client secret' : 'Client secret'}
          type="password"
          value={secret}
          disabled={dropSecret}
          onChange={setSecret}
          error={fields.client_secret}
          autoComplete="new-password"
          hint={
            editing
              ? editing.has_client_secret
                ? dropSecret
                  ? 'The stored secret is removed when you save.'
                  : 'A secret is stored and never shown. Type a new one to replace it; leave empty to keep it.'
                : 'None stored (a public client). Type one to store it.'
              : 'Stored encrypted on the server and never shown again. Leave empty for a public client (PKCE only).'
          }
        />
        <Field
          label="Scopes"
          required
          value={scopes}
          onChange={setScopes}
          error={fields.scopes}
          autoComplete="off"
          hint="Separated by spaces; openid is required."
        />
      </div>
      {editing?.has_client_secret ? (
        <Check
          label="Remove the stored client secret"
          checked={dropSecret}
          disabled={secret !== ''}
          onChange={setDropSecret}
          explain="For an IdP that now treats the console’s server as a public client (PKCE only). Saving forgets the secret; it cannot be shown or brought back."
        />
      ) : null}
      <Check
        label="Link existing accounts by verified email"
        checked={link}
        onChange={setLink}
        error={fields.link_verified_email}
        explain="A first sign-in whose email the IdP marks verified signs in to the account with that email. Only for an IdP that verifies every email it sends."
      />
      {editing ? null : <Check label="Enabled" checked={enabled} onChange={setEnabled} explain="Offered on the sign-in page as soon as it is added." />}
      {path ? (
        <RedirectUri uri={redirectUri(props.baseUrl, path)} />
      ) : (
        <p className="hint">The redirect URI to register at the IdP appears here once the name is typed.</p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? <Spinner label={editing ? 'Saving' : 'Reading the IdP’s discovery document'} /> : null}
          {editing ? 'Save' : 'Add IdP'}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
