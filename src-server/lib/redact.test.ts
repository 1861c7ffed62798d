import { describe, expect, it } from 'vitest';
import { REDACTED, redactFields, redactRequestUrl, redactSecretText } from './redact.ts';

const TOKEN = 'Zx3kQ9_pLr-8TnB2vY7mWc4hJd6sFa1uEo0iGq5yXeK'; // randomSecret(32): 43 base64url characters
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl';

describe('redactRequestUrl', () => {
  it.each([
    [`/accounts/invite/${TOKEN}/`, `/accounts/invite/${REDACTED}/`],
    [`/api/v2/auth/invitations/${TOKEN}`, `/api/v2/auth/invitations/${REDACTED}`],
    [`/accounts/invite/short/`, `/accounts/invite/${REDACTED}/`],
    [`/set-password/short/`, `/set-password/${REDACTED}/`],
    [`//ACCOUNTS/Invite/${TOKEN}`, `//ACCOUNTS/Invite/${REDACTED}`],
    [`/accounts/invite/${TOKEN}/?next=/x`, `/accounts/invite/${REDACTED}/?next=${REDACTED}`],
    [`/accounts/login/?next=%2Faccounts%2Finvite%2F${TOKEN}%2F`, `/accounts/login/?next=${REDACTED}`],
    [`/api/v2/me?token=${JWT}&page=2`, `/api/v2/me?token=${REDACTED}&page=2`],
    [`/api/v2/admin/users?search=bob&page=3&ordering=-username`, `/api/v2/admin/users?search=${REDACTED}&page=3&ordering=-username`],
    [`/x?${TOKEN}`, `/x?${REDACTED}`],
    [`/api/v2/auth/pkey/jwt/${TOKEN}`, `/api/v2/auth/pkey/jwt/${REDACTED}`],
    [`/nothing/${JWT}/here`, `/nothing/${REDACTED}/here`],
    // Regression: percent-encoded route words and tokens were matched undecoded, so `/accounts/%69nvite/<token>/` (the live invite page) kept its token.
    [`/accounts/%69nvite/${TOKEN}/`, `/accounts/%69nvite/${REDACTED}/`],
    [`/accounts/invit%65/short/`, `/accounts/invit%65/${REDACTED}/`],
    [`/api/v2/auth/%69nvitations/short`, `/api/v2/auth/%69nvitations/${REDACTED}`],
    [`/accounts/invite%2Fshort/`, `/accounts/${REDACTED}/`],
    [`/accounts/invite;x=1/short/`, `/accounts/invite;x=1/${REDACTED}/`],
    [`/x/${encodeURIComponent(TOKEN).replace(/[A-Z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}/y`, `/x/${REDACTED}/y`],
  ])('%s', (raw, expected) => {
    expect(redactRequestUrl(raw)).toBe(expected);
    expect(redactRequestUrl(raw)).not.toContain(TOKEN);
  });

  it.each([
    '/api/v2/auth/invitations/accept',
    '/dashboard/keys/AbCdEf0123456789/revoke',
    '/api/v2/admin/users/12',
    '/ht/',
    '/static/app.css',
    '/api/v2/o/admin/switch/',
  ])('keeps %s as it is', (url) => {
    expect(redactRequestUrl(url)).toBe(url);
  });

  it('cuts very long URLs', () => {
    expect(redactRequestUrl('/a'.repeat(2000)).length).toBeLessThanOrEqual(513);
  });
});

describe('redactSecretText', () => {
  it.each([
    [`PersonalKey AbCdEfGh23456789:${TOKEN}`, `PersonalKey ${REDACTED}`],
    [`key AbCdEfGh23456789:${TOKEN} pasted`, `key AbCdEfGh23456789:${REDACTED} pasted`],
    [`Bearer ${JWT}`, `Bearer ${REDACTED}`],
    [JWT, REDACTED],
    [`see ${JWT}.`, `see ${REDACTED}.`],
    [TOKEN, REDACTED],
    ['A'.repeat(43), REDACTED],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', REDACTED],
  ])('redacts %s', (raw, expected) => {
    expect(redactSecretText(raw)).toBe(expected);
  });
  it.each([
    'alice',
    'bob@example.io',
    'john_smith_from_the_accounting_team_in_berlin',
    'Ordinary key for CI',
    'Bearer of news',
    'eyJohn.smith.x',
    'ana.maria-lopez+ops@example.co.uk',
  ])('keeps %s', (text) => {
    expect(redactSecretText(text)).toBe(text);
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
  it('runs the text net over every value, nested ones too', () => {
    expect(redactFields({ name: `PersonalKey AbCdEfGh23456789:${TOKEN}`, from: { username: TOKEN, email: 'a@b.co' }, list: [JWT, 'x'], n: 3 })).toEqual({
      name: `PersonalKey ${REDACTED}`,
      from: { username: REDACTED, email: 'a@b.co' },
      list: [REDACTED, 'x'],
      n: 3,
    });
  });
});
