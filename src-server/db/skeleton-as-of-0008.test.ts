import { describe, expect, it } from 'vitest';
import live from 'unhomoglyph/data.json' with { type: 'json' };
import frozen from './confusables-as-of-0008.json' with { type: 'json' };
import { casedUsernameSkeleton, usernameSkeleton } from '../lib/username-identity.ts';
import { casedSkeleton0008, foldedSkeleton0008 } from './skeleton-as-of-0008.ts';

describe('the skeletons migrations 0003a and 0008 stored', () => {
  // When this fails, the live rule moved (a new unhomoglyph table, a changed fold): the skeletons in every
  // database are now stale. Add a migration that recomputes both columns with the new rule; leave the frozen copy alone.
  it('are still the live rule: every confusable and small capital, alone and in a name, gives the same skeletons', () => {
    const smallCapitals = [...'\u0262\u026A\u0274\u0280\u028F\u0299\u029C\u029F\u1D00\u1D04\u1D0D\u1D0F\uA730\uA7AF'];
    const characters = new Set([...Object.keys(live), ...Object.keys(frozen.prototypes), ...smallCapitals]);
    const differing: string[] = [];
    for (const ch of characters) {
      for (const name of [ch, `a${ch}I`]) {
        if (foldedSkeleton0008(name) !== usernameSkeleton(name) || casedSkeleton0008(name) !== casedUsernameSkeleton(name)) differing.push(name);
      }
    }
    expect(characters.size).toBeGreaterThan(6000);
    expect(differing.slice(0, 10)).toEqual([]);
  });

  it('tell look-alikes apart as the migrations did', () => {
    expect(foldedSkeleton0008('аdmin')).toBe(foldedSkeleton0008('admin')); // Cyrillic а
    expect(foldedSkeleton0008('ʟᴀᴅᴍɪɴ')).toBe(foldedSkeleton0008('LADMIN')); // small capitals
    expect(casedSkeleton0008('aIice')).toBe(foldedSkeleton0008('alice')); // capital I
    expect(foldedSkeleton0008('aIice')).not.toBe(foldedSkeleton0008('alice'));
  });
});
