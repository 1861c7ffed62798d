import { useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { SsoProvider, SsoTestResult } from '../../../../src-shared/sso-schemas.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBanner, Spinner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useReloads } from '../../lib/use-reloads.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { RedirectUri } from './redirect-uri.tsx';
import { SsoProviderForm } from './sso-provider-form.tsx';
import { TEMPLATE_LABEL, redirectUri } from './sso-logic.ts';
import { useSsoProviders } from './use-sso.ts';

type Tested = { name: string; result: SsoTestResult } | { name: string; error: ConsoleError };

/**
 * The IdPs people sign in through: the site's (`org` null, on the Single
 * sign-on screen) or an organization's (on its page). Each with its redirect
 * URI, Test connection, Enable/Disable, Edit and Remove.
 */
export function SsoProvidersCard({ org, title, intro }: { org: string | null; title: string; intro: string }) {
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const list = useSsoProviders(org);
  const [form, setForm] = useState<{ editing: SsoProvider | null } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const [actionError, setActionError] = useState<ConsoleError | null>(null);
  const [removing, setRemoving] = useState<SsoProvider | null>(null);
  useReloads(() => void list.reload());
  const scope = org === null ? {} : { org };
  const headingId = org === null ? 'sso-site-h' : 'sso-org-h';

  async function test(p: SsoProvider) {
    setBusy(p.name);
    setTesting(p.name);
    setTested(null);
    const r = await call('testSsoProvider', { connection, ...scope, name: p.name });
    setBusy(null);
    setTesting(null);
    setTested(r.ok ? { name: p.name, result: r.value } : { name: p.name, error: r.error });
  }
  async function setEnabled(p: SsoProvider, enabled: boolean) {
    setBusy(p.name);
    setActionError(null);
    const r = await call('updateSsoProvider', { connection, ...scope, name: p.name, patch: { enabled } });
    setBusy(null);
    if (!r.ok) return setActionError(r.error);
    toast('ok', `${p.name} ${enabled ? 'enabled: offered on the sign-in page' : 'disabled: no longer offered'}`);
    void list.reload();
  }
  async function remove(p: SsoProvider) {
    setBusy(p.name);
    setActionError(null);
    const r = await call('removeSsoProvider', { connection, ...scope, name: p.name });
    setBusy(null);
    setRemoving(null);
    if (!r.ok) return setActionError(r.error);
    toast('ok', `Removed ${p.name}`);
    if (tested?.name === p.name) setTested(null);
    void list.reload();
  }

  const providers = list.value?.results ?? [];
  const baseUrl = list.value?.base_url ?? null;
  return (
    <section className="card sso-card" aria-labelledby={headingId} aria-busy={list.loading}>
      <div className="section-head">
        <h2 id={headingId}>{title}</h2>
        {list.loading && list.value ? <Spinner label="Refreshing the IdPs" /> : null}
      </div>
      <p className="muted small">{intro}</p>
      <ErrorBanner error={list.error} onRetry={() => void list.reload()} />
      <ErrorBanner error={actionError} />
      {list.value === null ? null : providers.length === 0 ? <p className="muted">No IdP yet.</p> : null}
      <ul className="sso-list">
        {providers.map((p) => (
          <li key={p.name} className="sso-idp" aria-label={`IdP ${p.name}`}>
            <div className="sso-idp-head">
              <strong>{p.name}</strong>
              <StatusBadge tone={p.enabled ? 'ok' : 'muted'}>{p.enabled ? 'Enabled' : 'Disabled'}</StatusBadge>
            </div>
            <dl className="facts">
              <dt>Template</dt>
              <dd>{TEMPLATE_LABEL[p.template]}</dd>
              <dt>Issuer</dt>
              <dd>
                <code>{p.issuer}</code>
              </dd>
              <dt>Client ID</dt>
              <dd>
                <code>{p.client_id}</code>
                {p.has_client_secret ? '' : <span className="muted"> · no client secret (public client)</span>}
              </dd>
              <dt>Scopes</dt>
              <dd>{p.scopes}</dd>
              <dt>Link by verified email</dt>
              <dd>{p.link_verified_email ? 'On: a verified email signs in to the account that has it' : 'Off'}</dd>
            </dl>
            {baseUrl ? <RedirectUri uri={redirectUri(baseUrl, p.redirect_path)} /> : null}
            {tested?.name === p.name ? <TestOutcome tested={tested} /> : null}
            <div className="actions">
              <button type="button" className="secondary small" disabled={busy !== null} onClick={() => void test(p)}>
                {testing === p.name ? <Spinner label={`Testing ${p.name}`} /> : null}
                Test connection<span className="sr-only"> of {p.name}</span>
              </button>
              <button type="button" className="secondary small" disabled={busy !== null} onClick={() => void setEnabled(p, !p.enabled)}>
                {p.enabled ? 'Disable' : 'Enable'}
                <span className="sr-only"> {p.name}</span>
              </button>
              <button type="button" className="secondary small" disabled={busy !== null} onClick={() => setForm({ editing: p })}>
                Edit<span className="sr-only"> {p.name}</span>
              </button>
              <button type="button" className="danger small" disabled={busy !== null} onClick={() => setRemoving(p)}>
                Remove<span className="sr-only"> {p.name}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
      {form && baseUrl !== null ? (
        <SsoProviderForm
          key={form.editing?.name ?? 'new'}
          org={org}
          baseUrl={baseUrl}
          editing={form.editing}
          onCancel={() => setForm(null)}
          onSaved={(p) => {
            toast('ok', form.editing ? `Saved ${p.name}` : `Added ${p.name}: test its connection`);
            setForm(null);
            void list.reload();
          }}
        />
      ) : list.value ? (
        <div className="actions">
          <button type="button" onClick={() => setForm({ editing: null })}>
            Add IdP
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? ''}?`}
        confirmLabel="Remove IdP"
        danger
        busy={busy !== null}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>
          “Sign in with {removing?.name}” leaves the sign-in page and its sign-ins in progress stop. Accounts made or linked through it stay; their link to it
          is dropped. Adding it again later needs its client secret again.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function TestOutcome({ tested }: { tested: Tested }) {
  if ('error' in tested) return <ErrorBanner error={tested.error} />;
  const r = tested.result;
  return (
    <div className="banner ok sso-test" role="status">
      <div>
        <strong>Connection works.</strong> Discovery read from <code>{r.issuer}</code>; {r.jwks_keys} signing {r.jwks_keys === 1 ? 'key' : 'keys'} fetched (
        {r.signing_algorithms.join(', ')}); the authorization URL was built:
        <div className="sso-auth-url">
          <code>{r.authorization_url}</code>
        </div>
      </div>
    </div>
  );
}
