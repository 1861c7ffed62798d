import { describe, expect, it } from 'vitest';
import { SSO_TEMPLATES, type SsoProvider } from '../../../../src-shared/sso-schemas.ts';
import { callbackPath } from '../../../../src-shared/sso-templates.ts';
import { hashToRoute, routeToHash } from '../../lib/route.ts';
import { ISSUER_HINT, TEMPLATE_LABEL, providerChanges, redirectUri, ssoFieldErrors } from './sso-logic.ts';

describe('single sign-on screen logic', () => {
  it('the screen has its own address', () => {
    expect(routeToHash({ name: 'sso' })).toBe('#/sso');
    expect(hashToRoute('#/sso')).toEqual({ name: 'sso' });
  });

  it('redirect URIs: the server’s path appended to the public URL or the console’s address, as the server appends it', () => {
    expect(redirectUri('https://g.example.com/accounts', callbackPath(null, 'corp'))).toBe('https://g.example.com/accounts/g/sso/oidc/corp/login/callback');
    expect(redirectUri('https://g.example.com', callbackPath(null, 'corp'))).toBe('https://g.example.com/g/sso/oidc/corp/login/callback');
    expect(redirectUri('http://127.0.0.1:8000/', callbackPath('acme', 'okta'))).toBe('http://127.0.0.1:8000/o/acme/sso/oidc/okta/login/callback');
  });

  it('a refusal’s fields land on the form’s fields, named by the bridge or by the server', () => {
    const fields = ssoFieldErrors({
      code: 'VALIDATION',
      message: 'x',
      fields: [
        { field: 'provider.issuer', message: 'must be an https:// address' },
        { field: 'patch.scopes', message: 'must include openid' },
        { field: 'name', message: 'already in use' },
      ],
    });
    expect(fields).toEqual({ issuer: 'must be an https:// address', scopes: 'must include openid', name: 'already in use' });
    expect(ssoFieldErrors(null)).toEqual({});
  });

  it('every template has a label and an issuer hint', () => {
    for (const t of SSO_TEMPLATES) expect([TEMPLATE_LABEL[t], ISSUER_HINT[t].placeholder]).toEqual([expect.any(String), expect.stringMatching(/^https:\/\//)]);
  });
  it('an edit sends only what changed; a typed secret replaces the stored one, and removing it sends null only when one is stored', () => {
    const before = {
      name: 'corp',
      template: 'keycloak',
      issuer: 'https://idp.example.com/realms/corp',
      client_id: 'console',
      scopes: 'openid email profile',
      link_verified_email: false,
      has_client_secret: true,
    } as unknown as SsoProvider;
    const same = { template: before.template, issuer: before.issuer, clientId: before.client_id, typedSecret: '', scopes: before.scopes, link: false };
    expect(providerChanges(before, same)).toEqual({});
    expect(providerChanges(before, { ...same, typedSecret: 's3cret' })).toEqual({ client_secret: 's3cret' });
    expect(providerChanges(before, { ...same, dropSecret: true })).toEqual({ client_secret: null });
    expect(providerChanges(before, { ...same, dropSecret: true, typedSecret: 'new' })).toEqual({ client_secret: 'new' });
    expect(providerChanges({ ...before, has_client_secret: false }, { ...same, dropSecret: true })).toEqual({});
    expect(providerChanges(before, { ...same, scopes: 'openid' })).toEqual({ scopes: 'openid' });
  });
});
