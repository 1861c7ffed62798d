import { describe, expect, it } from 'vitest';
import { REDACTED, redactFields, redactRequestUrl } from './redact.ts';

const TOKEN = 'Zx3kQ9_pLr-8TnB2vY7mWc4hJd6sFa1uEo0iGq5yXeK'; // randomSecret(32): 43 base64url characters
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl';

describe('redactRequestUrl', () => {
  it.each([
    [`/accounts/invite/${TOKEN}/`, `/accounts/invite/${REDACTED}/`],
    [`/api/v2/auth/invitations/${TOKEN}`, `/api/v2/auth/invitations/${REDACTED}`],
    [`/accounts/invite/short/`, `/accounts/invite/${REDACTED}/`],
    [`//ACCOUNTS/Invite/${TOKEN}`, `//ACCOUNTS/Invite/${REDACTED}`],
    [`/accounts/invite/${TOKEN}/?next=/x`, `/accounts/invite/${REDACTED}/?next=${REDACTED}`],
    [`/accounts/login/?next=%2Faccounts%2Finvite%2F${TOKEN}%2F`, `/accounts/login/?next=${REDACTED}`],
    [`/api/v2/me?token=${JWT}&page=2`, `/api/v2/me?token=${REDACTED}&page=2`],
    [`/api/v2/admin/users?search=bob&page=3&ordering=-username`, `/api/v2/admin/users?search=${REDACTED}&page=3&ordering=-username`],
    [`/x?${TOKEN}`, `/x?${REDACTED}`],
    [`/api/v2/auth/pkey/jwt/${TOKEN}`, `/api/v2/auth/pkey/jwt/${REDACTED}`],
    [`/nothing/${JWT}/here`, `/nothing/${REDACTED}/here`],
  ])('%s', (raw, expected) => {
    expect(redactRequestUrl(raw)).toBe(expected);
    expect(redactRequestUrl(raw)).not.toContain(TOKEN);
  });

  it.each(['/api/v2/auth/invitations/accept', '/dashboard/keys/AbCdEf0123456789/revoke', '/api/v2/admin/users/12', '/ht/', '/static/app.css', '/api/v2/o/admin/switch/'])(
    'keeps %s as it is',
    (url) => {
      expect(redactRequestUrl(url)).toBe(url);
    },
  );

  it('cuts very long URLs', () => {
    expect(redactRequestUrl('/a'.repeat(2000)).length).toBeLessThanOrEqual(513);
  });
});

describe('redactFields', () => {
  it('replaces secret-named values and redacts paths, keeps the rest', () => {
    expect(redactFields({ key_id: 'AbCd', secret: 's', token: 't', grant_staff: true, path: `/accounts/invite/${TOKEN}/`, note: 'for Ana' })).toEqual({
      key_id: 'AbCd',
      secret: REDACTED,
      token: REDACTED,
      grant_staff: true,
      path: `/accounts/invite/${REDACTED}/`,
      note: 'for Ana',
    });
  });
});
