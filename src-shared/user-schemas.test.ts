import { describe, expect, it } from 'vitest';
import { lastSuperuserFields, optionalEmailSchema, signInUsernameSchema, userInputSchema, userPatchSchema, usernameSchema } from './user-schemas.ts';

const messages = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) => (r.success ? [] : r.error!.issues.map((i) => i.message));

describe('the username rule', () => {
  it("is Django's: letters, digits and @.+-_, judged and kept in NFKC form", () => {
    expect(usernameSchema.parse('ａｄｍｉｎ')).toBe('admin');
    expect(usernameSchema.parse('ａ＠ｂ')).toBe('a@b'); // a fullwidth @ is @ once normalised
    for (const ok of ['alice', 'x_y--', 'robert.tables+1', 'Ünïcödé', '名前']) expect(usernameSchema.parse(ok)).toBe(ok);
    for (const bad of ['', 'has space', "' OR 1=1 --", 'tab\tname', 'a/b']) expect(usernameSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('counts 150 characters after normalising', () => {
    expect(usernameSchema.safeParse('u'.repeat(150)).success).toBe(true);
    expect(messages(usernameSchema.safeParse('u'.repeat(151)))).toEqual(['must be at most 150 characters']);
  });

  it('refuses invisible letters the letters-only rule lets through (Hangul fillers, zero-width joiners)', () => {
    for (const name of ['alice\u1160', '\u3164bob', 'car\u200dol', 'dan\uffa0']) {
      expect(messages(usernameSchema.safeParse(name))[0], JSON.stringify(name)).toMatch(/invisible characters/);
    }
  });
});

describe('a name to sign in with', () => {
  it("takes a name as an older rule stored it, within Django's characters and length", () => {
    expect(signInUsernameSchema.parse('alice\u1160')).toBe('alice\u1160');
    for (const bad of ['', 'bad name', 'u'.repeat(151), 'tab\tname']) expect(signInUsernameSchema.safeParse(bad).success, bad).toBe(false);
  });
});

describe('the new user and the patch', () => {
  it('read a blank email as none, and leave an absent one absent', () => {
    expect(optionalEmailSchema.parse('')).toBeNull();
    expect(userInputSchema.parse({ username: 'bob', password: 'pw' })).toEqual({ username: 'bob', password: 'pw' });
    expect(Object.keys(userPatchSchema.parse({ is_staff: true }))).toEqual(['is_staff']);
    expect(userPatchSchema.parse({ email: '' })).toEqual({ email: null });
  });

  it('refuse unknown fields and an empty patch', () => {
    expect(userInputSchema.safeParse({ username: 'bob', password: 'pw', is_god: true }).success).toBe(false);
    expect(messages(userPatchSchema.safeParse({}))).toEqual(['send at least one field to change']);
    expect(userPatchSchema.safeParse({ is_god: true }).error?.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
  });
});

describe('lastSuperuserFields', () => {
  it('names the fields a patch turns off, and none for a patch that keeps both', () => {
    expect(lastSuperuserFields({ is_superuser: false }).map((f) => f.field)).toEqual(['is_superuser']);
    expect(lastSuperuserFields({ is_active: false, is_superuser: false }).map((f) => f.field)).toEqual(['is_superuser', 'is_active']);
    expect(lastSuperuserFields({ is_active: true })).toEqual([]);
  });
});
