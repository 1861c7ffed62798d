import type { SsoTemplate } from './sso-schemas.ts';

/**
 * What a template fills in when only the IdP's host is given
 * (`https://idp.example.com`, no path): the issuer path that product serves
 * its discovery under. An issuer with a path is kept as typed, since it must
 * equal the ID token's `iss` exactly.
 *
 * - Auth0: `https://<tenant>.auth0.com/` (its issuer ends with the slash).
 * - Microsoft ADFS: `https://<host>/adfs`.
 * - Okta: the host itself is the org authorization server's issuer.
 * - Keycloak (`/realms/<realm>`) and Entra (`/<tenant>/v2.0`) need a name
 *   only the admin knows, so a bare host is kept and discovery says why.
 *
 * @example
 * issuerFor('adfs', 'https://sts.example.com') // 'https://sts.example.com/adfs'
 */
export function issuerFor(template: SsoTemplate, issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return issuer;
  }
  if (url.pathname !== '/' && url.pathname !== '') return issuer;
  const host = `${url.protocol}//${url.host}`;
  if (template === 'auth0') return `${host}/`;
  if (template === 'adfs') return `${host}/adfs`;
  return issuer;
}

/** The path of the redirect URI an admin registers at the IdP (Graphistry's paths): the server answers it, the console shows it before an IdP is added. */
export function callbackPath(orgSlug: string | null, name: string): string {
  return orgSlug === null ? `/g/sso/oidc/${name}/login/callback` : `/o/${orgSlug}/sso/oidc/${name}/login/callback`;
}
