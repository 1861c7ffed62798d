import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { SsoProvider, SsoProviderPatch, SsoTemplate } from '../../../../src-shared/sso-schemas.ts';
import { fieldErrors } from '../../lib/api.ts';

export const TEMPLATE_LABEL: Record<SsoTemplate, string> = {
  okta: 'Okta',
  auth0: 'Auth0',
  keycloak: 'Keycloak',
  entra: 'Microsoft Entra ID',
  adfs: 'Microsoft ADFS',
  custom: 'Custom (any OIDC provider)',
};

/** What to type as the issuer for each product (sso-templates.ts fills a bare host where the product's path is fixed). */
export const ISSUER_HINT: Record<SsoTemplate, { placeholder: string; hint: string }> = {
  okta: { placeholder: 'https://acme.okta.com', hint: 'Your Okta domain: its org authorization server is the issuer.' },
  auth0: { placeholder: 'https://acme.us.auth0.com', hint: 'Your tenant’s domain; the slash Auth0’s issuer ends with is added.' },
  keycloak: { placeholder: 'https://sso.example.com/realms/acme', hint: 'The realm’s address: the host, then /realms/ and the realm’s name.' },
  entra: { placeholder: 'https://login.microsoftonline.com/<tenant-id>/v2.0', hint: 'The v2.0 issuer, with your directory (tenant) id.' },
  adfs: { placeholder: 'https://sts.example.com', hint: 'The federation service’s host; /adfs is added.' },
  custom: { placeholder: 'https://idp.example.com', hint: 'The issuer exactly as the IdP’s discovery document names it.' },
};

export const DEFAULT_SCOPES = 'openid email profile';

/**
 * The redirect URI to register at the IdP: the server's path appended to the
 * base as it is (a public URL may carry a path, e.g. behind a proxy), as the
 * server builds its own authorization URL.
 */
export function redirectUri(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** A refusal's field messages by form field: the bridge names them under `provider.` or `patch.`, the server by themselves. */
export function ssoFieldErrors(error: ConsoleError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrors(error))) out[field.replace(/^(provider|patch)\./, '')] = message;
  return out;
}

/** Only what changed (the server reads a new issuer's discovery again); a typed secret replaces the stored one, `dropSecret` removes it. */
export function providerChanges(
  before: SsoProvider,
  now: { template: SsoTemplate; issuer: string; clientId: string; typedSecret: string; dropSecret?: boolean; scopes: string; link: boolean },
): SsoProviderPatch {
  return {
    ...(now.template !== before.template ? { template: now.template } : {}),
    ...(now.issuer.trim() !== before.issuer ? { issuer: now.issuer } : {}),
    ...(now.clientId.trim() !== before.client_id ? { client_id: now.clientId } : {}),
    ...(now.typedSecret ? { client_secret: now.typedSecret } : now.dropSecret && before.has_client_secret ? { client_secret: null } : {}),
    ...(now.scopes.trim() !== before.scopes ? { scopes: now.scopes } : {}),
    ...(now.link !== before.link_verified_email ? { link_verified_email: now.link } : {}),
  };
}
