import { describe, expect, it } from 'vitest';
import { issuerFor } from './sso-templates.ts';

describe('issuer templates', () => {
  it('fill the issuer path from a bare host and keep an issuer with a path as typed', () => {
    expect(issuerFor('adfs', 'https://sts.example.com')).toBe('https://sts.example.com/adfs');
    expect(issuerFor('adfs', 'https://sts.example.com/')).toBe('https://sts.example.com/adfs');
    expect(issuerFor('auth0', 'https://acme.eu.auth0.com')).toBe('https://acme.eu.auth0.com/');
    expect(issuerFor('okta', 'https://acme.okta.com')).toBe('https://acme.okta.com');
    expect(issuerFor('keycloak', 'https://kc.example.com')).toBe('https://kc.example.com');
    expect(issuerFor('adfs', 'https://sts.example.com/adfs/custom')).toBe('https://sts.example.com/adfs/custom');
    expect(issuerFor('custom', 'https://idp.example.com')).toBe('https://idp.example.com');
  });
});
