import { describe, expect, it } from 'vitest';
import type { GateIdentity } from './identity.ts';
import { extValue, identityHeaders, isForgeable } from './identity-headers.ts';

const identity = (username: string, email: string | null): GateIdentity => ({
  userId: 42,
  username,
  email,
  isStaff: true,
  isSuperuser: false,
  credential: 'cookie',
});

describe('identity headers', () => {
  it('encode every character an RFC 8187 attr-char does not allow, and decode back to the very same text', () => {
    expect(extValue('danaé')).toBe("UTF-8''dana%C3%A9");
    expect(extValue("o'neil(*)@x.example")).toBe("UTF-8''o%27neil%28%2A%29%40x.example");
    expect(extValue('a-b.c_d~e!f')).toBe("UTF-8''a-b.c_d~e!f");
    for (const text of ['日本', 'dana\u0301', 'Ｚ', '😀x']) expect(decodeURIComponent(extValue(text)!.slice("UTF-8''".length))).toBe(text);
    // A lone surrogate has no UTF-8 form: nothing rather than U+FFFD.
    expect(extValue('a\ud800')).toBeNull();
  });

  it('send Remote-User and Remote-Email only when plain ASCII, never an approximation; the id and the encoded forms always', () => {
    expect(identityHeaders(identity('carol', 'carol@example.com'))).toEqual({
      'remote-user': 'carol',
      'remote-user-id': '42',
      'remote-user-encoded': "UTF-8''carol",
      'remote-email': 'carol@example.com',
      'remote-email-encoded': "UTF-8''carol%40example.com",
      'remote-groups': 'staff',
    });
    expect(identityHeaders(identity('danaé', 'dana@corpé.example'))).toEqual({
      'remote-user-id': '42',
      'remote-user-encoded': "UTF-8''dana%C3%A9",
      'remote-email-encoded': "UTF-8''dana%40corp%C3%A9.example",
      'remote-groups': 'staff',
    });
    expect(identityHeaders(identity('bob', null))).toEqual({
      'remote-user': 'bob',
      'remote-user-id': '42',
      'remote-user-encoded': "UTF-8''bob",
      'remote-groups': 'staff',
    });
    expect(identityHeaders(identity('bob', 'b\ud800@x.example'))).not.toHaveProperty('remote-email-encoded');
  });

  it('treat every spelling of an identity header, and every name with an underscore, as forgeable', () => {
    const forgeable = [
      'remote-user', 'remote_user', 'remote-groups', 'remote-email', 'remote-user-id', 'remote-user-encoded', 'remote-email-encoded', 'remote-name',
      'x-remote-user', 'x-forwarded-user', 'x_forwarded_user', 'x-forwarded-email', 'x-forwarded-preferred-username', 'x-auth-request-user',
      'x-auth-request-access-token', 'x_auth_request_email', 'x-auth-request-redirect', 'x-webauth-user', 'x-authenticated-user', 'x_anything',
    ]; // prettier-ignore
    for (const name of forgeable) expect(isForgeable(name), name).toBe(true);
    for (const name of ['cookie', 'authorization', 'x-xsrftoken', 'accept', 'x-requested-with', 'remoteuser', 'x-forwarded-prefix'])
      expect(isForgeable(name), name).toBe(false);
  });
});
