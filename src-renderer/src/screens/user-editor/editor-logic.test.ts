import { describe, expect, it } from 'vitest';
import type { User } from '../../../../src-shared/domain.ts';
import {
  bannerError,
  BLANK_NEW_USER,
  checkNewUser,
  createParams,
  diffPatch,
  errorsByField,
  formFromUser,
  isDirty,
  passwordStrength,
  withRefusedRolesReset,
} from './editor-logic.ts';

const alice: User = {
  id: 7,
  username: 'alice',
  email: null,
  is_active: true,
  is_staff: false,
  is_superuser: true,
  date_joined: '2024-01-01T00:00:00.000Z',
  last_login: null,
};

describe('diffPatch', () => {
  it('is empty for an untouched form, so Save stays disabled', () => {
    expect(diffPatch(formFromUser(alice), alice)).toEqual({});
    expect(isDirty(formFromUser(alice), alice)).toBe(false);
  });
  it('holds only the changed fields', () => {
    expect(diffPatch({ ...formFromUser(alice), is_staff: true }, alice)).toEqual({ is_staff: true });
    expect(diffPatch({ ...formFromUser(alice), username: ' alice2 ', is_superuser: false }, alice)).toEqual({ username: 'alice2', is_superuser: false });
  });
  it('treats spaces around the email as nothing, and a cleared email as null', () => {
    expect(diffPatch({ ...formFromUser(alice), email: '  ' }, alice)).toEqual({});
    expect(diffPatch({ ...formFromUser(alice), email: 'a@example.org' }, alice)).toEqual({ email: 'a@example.org' });
    const withEmail = { ...alice, email: 'a@example.org' };
    expect(diffPatch({ ...formFromUser(withEmail), email: '' }, withEmail)).toEqual({ email: null });
  });
});

describe('new user', () => {
  it('starts active, not staff, not superuser', () => {
    expect(BLANK_NEW_USER).toMatchObject({ is_active: true, is_staff: false, is_superuser: false });
  });
  it('checks what it can before asking the server', () => {
    expect(checkNewUser(BLANK_NEW_USER)).toEqual({ username: 'Enter a username.', password: 'Enter a password.' });
    expect(checkNewUser({ ...BLANK_NEW_USER, username: 'bob', password: 'correct horse', password2: 'correct hose' })).toEqual({
      password2: 'The two passwords do not match.',
    });
    expect(checkNewUser({ ...BLANK_NEW_USER, username: 'bob', password: 'x', password2: 'x' })).toEqual({});
  });
  it('leaves out an empty email and sends the permissions', () => {
    expect(createParams({ ...BLANK_NEW_USER, username: ' bob ', password: 'pw pw pw pw', password2: 'pw pw pw pw' })).toEqual({
      username: 'bob',
      password: 'pw pw pw pw',
      is_active: true,
      is_staff: false,
      is_superuser: false,
    });
  });
});

describe('errorsByField', () => {
  it('puts the server sentence for the last superuser at each field it concerns', () => {
    const e = errorsByField({
      code: 'CONFLICT',
      serverCode: 'LAST_SUPERUSER',
      message: 'This is the last active superuser: make another superuser first.',
      fields: [
        { field: 'is_superuser', message: 'is the last active superuser' },
        { field: 'is_active', message: 'is the last active superuser' },
      ],
    });
    expect(e).toEqual({
      is_superuser: 'This is the last active superuser: make another superuser first.',
      is_active: 'This is the last active superuser: make another superuser first.',
    });
  });
  it('puts a taken username at Username, and a bridge validation fragment under its label', () => {
    expect(
      errorsByField({
        code: 'CONFLICT',
        serverCode: 'USERNAME_TAKEN',
        message: 'A user with that username already exists.',
        fields: [{ field: 'username', message: 'already in use' }],
      }),
    ).toEqual({
      username: 'A user with that username already exists.',
    });
    expect(
      errorsByField({
        code: 'VALIDATION',
        message: 'Some values are not valid; see the fields.',
        fields: [{ field: 'patch.username', message: 'may contain only letters' }],
      }),
    ).toEqual({
      username: 'May contain only letters.',
    });
  });
  it('sends to the banner only what no field on the form can show', () => {
    const weak = {
      code: 'VALIDATION' as const,
      serverCode: 'WEAK_PASSWORD',
      message: 'This password is too common.',
      fields: [{ field: 'password', message: 'This password is too common.', rule: 'common' }],
    };
    expect(bannerError(weak, ['username', 'password'])).toBeNull();
    expect(bannerError(weak, ['username', 'email'])).toBe(weak);
    expect(bannerError({ code: 'UNREACHABLE', message: 'The server did not answer.' }, ['username'])?.code).toBe('UNREACHABLE');
  });
});

describe('withRefusedRolesReset', () => {
  const refusal = (...fields: string[]) => ({
    code: 'CONFLICT' as const,
    serverCode: 'LAST_SUPERUSER',
    message: 'This is the last active superuser: make another superuser first.',
    fields: fields.map((field) => ({ field, message: 'is the last active superuser' })),
  });
  it('puts back exactly the roles the refusal names, and keeps the rest as typed', () => {
    const typed = { ...formFromUser(alice), username: 'alicia', is_superuser: false, is_active: false, is_staff: true };
    expect(withRefusedRolesReset(typed, alice, refusal('is_superuser'))).toEqual({ ...typed, is_superuser: true });
    expect(withRefusedRolesReset(typed, alice, refusal('is_active'))).toEqual({ ...typed, is_active: true });
    expect(withRefusedRolesReset(typed, alice, refusal('is_superuser', 'is_active'))).toEqual({ ...typed, is_superuser: true, is_active: true });
  });
  it('changes nothing for a refusal that names no role', () => {
    const typed = { ...formFromUser(alice), username: 'alicia', is_superuser: false };
    expect(withRefusedRolesReset(typed, alice, refusal())).toEqual(typed);
    expect(withRefusedRolesReset(typed, alice, refusal('username'))).toEqual(typed);
  });
});

describe('passwordStrength', () => {
  it('says too short below the minimum, and how much more', () => {
    expect(passwordStrength('abc')).toMatchObject({ level: 1, label: 'Too short', advice: '5 more characters at least.' });
  });
  it('calls digits only or the username weak', () => {
    expect(passwordStrength('1234567890').label).toBe('Weak');
    expect(passwordStrength('AliceAlice', 'alicealice').label).toBe('Weak');
  });
  it('rewards length most, variety a little', () => {
    expect(passwordStrength('password').level).toBe(1);
    expect(passwordStrength('Passw0rd!').level).toBe(2);
    expect(passwordStrength('correct horse battery').label).toBe('Strong');
    expect(passwordStrength('').level).toBe(0);
  });
});
