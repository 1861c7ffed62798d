import { describe, expect, it } from 'vitest';
import { explainSignInError, fieldSentence, hostOf, normalizeUrl, splitError } from './wizard-text.ts';

describe('wizard messages', () => {
  it('normalizes what people type as a server address', () => {
    expect(normalizeUrl('  graphistry.example.com ')).toBe('https://graphistry.example.com');
    expect(normalizeUrl('http://10.0.0.5:8000')).toBe('http://10.0.0.5:8000');
    expect(normalizeUrl('')).toBe('');
    expect(hostOf('https://hub.example.org:8443/x')).toBe('hub.example.org:8443');
    expect(hostOf('not a url')).toBe('not a url');
  });

  it('says what each sign-in failure means for the admin', () => {
    const host = 'hub.example.org';
    expect(explainSignInError({ code: 'UNREACHABLE', message: 'Nothing is listening at hub.example.org.' }, host).message).toBe(
      'Cannot reach hub.example.org. Nothing is listening at hub.example.org.',
    );
    // Regression: an address that answered (a web page, another app) was reported as "Cannot reach".
    const answered = {
      code: 'UNREACHABLE' as const,
      serverCode: 'NOT_GRAPHISTRY',
      message: 'The server at hub.example.org is not a Graphistry Admin server (it answered 200 with a web page): check the address.',
    };
    expect(explainSignInError(answered, host)).toBe(answered);
    expect(explainSignInError({ code: 'TLS', message: 'The certificate of hub.example.org is self-signed (X).' }, host)).toEqual({
      code: 'TLS',
      message:
        'Cannot connect securely to hub.example.org: its certificate is not trusted by this computer. The certificate of hub.example.org is self-signed (X).',
    });
    expect(explainSignInError({ code: 'UNAUTHORIZED', message: 'Unable to log in with provided credentials.' }, host).message).toBe(
      'Wrong username or password.',
    );
    expect(explainSignInError({ code: 'FORBIDDEN', message: '"bob" is not a superuser' }, host).message).toMatch(/not a superuser/);
    // Regression: a Graphistry's locked account read "not a superuser", and a one-time code asked for "Wrong username or password".
    const locked = {
      code: 'FORBIDDEN' as const,
      serverCode: 'ACCOUNT_LOCKED',
      message: 'The admin site at hub refused this sign-in: the account is locked. It says: “Account locked”',
    };
    expect(explainSignInError(locked, host)).toBe(locked);
    const otp = {
      code: 'UNAUTHORIZED' as const,
      serverCode: 'OTP_REQUIRED',
      message: 'The password is right; the admin site asks for a one-time code as well.',
    };
    expect(explainSignInError(otp, host)).toBe(otp);
    const other = { code: 'RATE_LIMITED' as const, message: 'Too many attempts: try again in 5 seconds.' };
    expect(explainSignInError(other, host)).toBe(other);
  });

  it('puts the label in front of fragments, leaves sentences alone', () => {
    expect(fieldSentence('Username', 'is required')).toBe('Username is required.');
    expect(fieldSentence('Password', 'This password is too short. It must contain at least 8 characters.')).toBe(
      'This password is too short. It must contain at least 8 characters.',
    );
  });

  it('shows field errors at their fields and the banner only when something has no field here', () => {
    const labels = { username: 'Username', password: 'Password' };
    const atFields = splitError(
      { code: 'VALIDATION', message: 'see the fields', fields: [{ field: 'password', message: 'This password is too common.' }] },
      labels,
    );
    expect(atFields).toEqual({ fields: { password: 'This password is too common.' }, banner: null });

    const unplaced = splitError({ code: 'VALIDATION', message: 'see the fields', fields: [{ field: 'profileId', message: 'is not a profile id' }] }, labels);
    expect(unplaced.banner?.message).toBe('see the fields');

    const plain = splitError({ code: 'UNAUTHORIZED', message: 'Wrong username or password.' }, labels);
    expect(plain).toEqual({ fields: {}, banner: { code: 'UNAUTHORIZED', message: 'Wrong username or password.' } });
    expect(splitError(null, labels)).toEqual({ fields: {}, banner: null });
  });
});
