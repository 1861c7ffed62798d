// The connection's user ids: integer keys as themselves, any other key as a
// number of the connection's own, and Django's quoting of keys in addresses
// (the peers' UUIDs need none; text keys do).
import { describe, expect, it } from 'vitest';
import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { createUserIds, pkFromChangePath, pkPath, quotePk } from './user-ids.ts';

describe('user ids', () => {
  it('keeps integer keys as they are', () => {
    const ids = createUserIds('hub');
    expect([ids.idOf('42'), ids.idOf('7')]).toEqual([42, 7]);
    expect(ids.kind).toBe('integer');
    expect(ids.pkOf(999)).toBe('999');
  });

  it('numbers other keys in the order it meets them, the same number each time, and knows no other number', () => {
    const ids = createUserIds('hub');
    const a = '3f1c6a52-0d0e-4b8e-9a57-1f0a6c7b9e01';
    const b = 'b2e0c0de-1111-4222-8333-944455556666';
    expect([ids.idOf(a), ids.idOf(b), ids.idOf(a)]).toEqual([1, 2, 1]);
    expect([ids.pkOf(1), ids.pkOf(2), ids.pkOf(3)]).toEqual([a, b, null]);
  });

  it('refuses a key that is not a number once keys were: numbering it could give two users one id', () => {
    const ids = createUserIds('hub');
    ids.idOf('12');
    expect(() => ids.idOf('012')).toThrow(ConsoleFailure);
    expect(() => ids.idOf('ann')).toThrow(/is not a number/);
  });

  it("quotes keys in addresses as Django's admin does, and reads them back", () => {
    expect(quotePk('a/b_c:d')).toBe('a_2Fb_5Fc_3Ad');
    expect(pkPath('ann smith/2', 'change')).toBe('ann%20smith_2F2/change/');
    expect(pkFromChangePath('/admin/users/user/ann%20smith_2F2/change/')).toBe('ann smith/2');
    expect(pkFromChangePath('/admin/users/user/3f1c6a52-0d0e-4b8e-9a57-1f0a6c7b9e01/change/')).toBe('3f1c6a52-0d0e-4b8e-9a57-1f0a6c7b9e01');
    expect(pkFromChangePath('/admin/users/user/add/')).toBeNull();
  });
});
