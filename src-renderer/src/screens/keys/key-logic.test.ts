import { describe, expect, it } from 'vitest';
import type { PersonalKey } from '../../../../src-shared/domain.ts';
import { expiryToIso, isKeyExpiryChoice, keyStatus, looksLikeConsoleKey, sortKeys } from './key-logic.ts';

const now = new Date('2025-03-01T12:00:00.000Z');

function key(over: Partial<PersonalKey>): PersonalKey {
  return {
    id: 'k',
    name: 'n',
    prefix: 'abcd',
    created_at: '2025-01-01T00:00:00.000Z',
    last_used_at: null,
    expires_at: null,
    revoked_at: null,
    is_active: true,
    ...over,
  };
}

describe('expiryToIso', () => {
  it('sends null for a key that never expires', () => {
    expect(expiryToIso('never', now)).toBeNull();
  });
  it('counts days from the moment of creation', () => {
    expect(expiryToIso('7d', now)).toBe('2025-03-08T12:00:00.000Z');
    expect(expiryToIso('30d', now)).toBe('2025-03-31T12:00:00.000Z');
    expect(expiryToIso('90d', now)).toBe('2025-05-30T12:00:00.000Z');
    expect(expiryToIso('1y', now)).toBe('2026-03-01T12:00:00.000Z');
  });
  it('only accepts the listed choices', () => {
    expect(isKeyExpiryChoice('30d')).toBe(true);
    expect(isKeyExpiryChoice('2y')).toBe(false);
  });
});

describe('keyStatus', () => {
  it('is active when neither revoked nor past its expiry', () => {
    expect(keyStatus(key({ expires_at: '2025-03-02T00:00:00.000Z' }), now)).toBe('active');
  });
  it('is expired once the expiry has passed, even if the list said active', () => {
    expect(keyStatus(key({ expires_at: '2025-03-01T11:59:59.000Z', is_active: true }), now)).toBe('expired');
  });
  it('says revoked rather than expired when both apply', () => {
    expect(keyStatus(key({ revoked_at: '2025-02-01T00:00:00.000Z', expires_at: '2025-02-02T00:00:00.000Z', is_active: false }), now)).toBe('revoked');
  });
});

describe('sortKeys', () => {
  it('puts active keys first, newest first within each group', () => {
    const keys = [
      key({ id: 'old-active', created_at: '2025-01-01T00:00:00.000Z' }),
      key({ id: 'revoked', created_at: '2025-02-15T00:00:00.000Z', revoked_at: '2025-02-16T00:00:00.000Z', is_active: false }),
      key({ id: 'new-active', created_at: '2025-02-01T00:00:00.000Z' }),
    ];
    expect(sortKeys(keys, now).map((k) => k.id)).toEqual(['new-active', 'old-active', 'revoked']);
  });
});

describe('looksLikeConsoleKey', () => {
  it('recognises the name the console gives its own key', () => {
    expect(looksLikeConsoleKey('Graphistry Admin Console on laptop')).toBe(true);
    expect(looksLikeConsoleKey('ci pipeline')).toBe(false);
  });
});
