import { describe, expect, it } from 'vitest';
import { createIdentityCache } from './identity-cache.ts';

describe('identity cache', () => {
  it('serves an entry until its deadline and not a millisecond after', () => {
    const c = createIdentityCache<string>();
    c.sync(1);
    c.set('k', 'alice', 1000, 1, 0);
    expect(c.get('k', 999)).toBe('alice');
    expect(c.get('k', 1000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops everything when the revision moves, and says so', () => {
    const c = createIdentityCache<string>();
    expect(c.sync(5)).toBe(false); // the first revision seen is no change
    c.set('a', 'alice', 1000, 5, 0);
    expect(c.sync(5)).toBe(false);
    expect(c.get('a', 1)).toBe('alice');
    expect(c.sync(6)).toBe(true);
    expect(c.get('a', 1)).toBeUndefined();
  });

  // Guards the race where a check resolved before a demotion and stored its stale answer after it.
  it('refuses an entry resolved at an older revision than the current one', () => {
    const c = createIdentityCache<string>();
    c.sync(1);
    c.sync(2); // a change landed while the check was resolving at revision 1
    c.set('k', 'stale', 1000, 1, 0);
    expect(c.get('k', 1)).toBeUndefined();
  });

  it('does not store what is already expired, and stays within its bound (oldest out first)', () => {
    const c = createIdentityCache<number>(3);
    c.sync(1);
    c.set('dead', 0, 10, 1, 10);
    expect(c.size).toBe(0);
    for (const k of [1, 2, 3, 4]) c.set(String(k), k, 1000, 1, 0);
    expect(c.size).toBe(3);
    expect(c.get('1', 0)).toBeUndefined();
    expect(c.get('4', 0)).toBe(4);
  });
});
