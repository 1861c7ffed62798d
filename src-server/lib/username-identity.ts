import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { normalizeUsername } from '../../src-shared/user-schemas.ts';

// The NFKC form is part of the username rule, declared with it in src-shared; the server's callers take it from here.
export { normalizeUsername };

/**
 * When two usernames are "the same person" to a reader. Django normalises
 * usernames to NFKC (fullwidth `ａｄｍｉｎ` is `admin`); on top of that, a new
 * name is refused when its case fold or its confusable skeleton (Unicode
 * TR39: Cyrillic `а`, dotless `ı`, `rn` for `m`) matches an existing one.
 *
 * The skeleton data is Unicode's confusables.txt as the `unhomoglyph` package
 * ships it (one prototype per confusable code point; used the same way by
 * Matrix clients to tell display names apart). TR39 leaves out small
 * capitals, which read as their letter in a name (`ʟᴀᴅᴍɪɴ` is LADMIN), so
 * those are added from UnicodeData.txt (every "LATIN LETTER SMALL CAPITAL x"
 * with a single-letter x).
 */
const CONFUSABLES: Record<string, string> = confusables;

const SMALL_CAPITALS: Record<string, string> = {
  '\u0262': 'g', '\u026A': 'i', '\u0274': 'n', '\u0276': 'œ', '\u0280': 'r', '\u028F': 'y', '\u0299': 'b', '\u029C': 'h', '\u029F': 'l',
  '\u1D00': 'a', '\u1D01': 'æ', '\u1D04': 'c', '\u1D05': 'd', '\u1D07': 'e', '\u1D0A': 'j', '\u1D0B': 'k', '\u1D0D': 'm', '\u1D0F': 'o',
  '\u1D18': 'p', '\u1D1B': 't', '\u1D1C': 'u', '\u1D20': 'v', '\u1D21': 'w', '\u1D22': 'z', '\uA730': 'f', '\uA731': 's', '\uA7AF': 'q',
}; // prettier-ignore

/**
 * A full case fold (NFKC_Casefold, closely enough): lower-, upper- then
 * lower-casing folds `ẞ` and `ß` to `ss` and final sigma to sigma, which
 * lower-casing alone does not; small capitals fold to their letter.
 */
export function foldUsername(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKC')) out += SMALL_CAPITALS[ch] ?? ch;
  return out.toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/** TR39's skeleton of `text` (already NFKC or folded), folded again (the prototypes mix cases: `0` → `O`). */
function skeletonOf(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) out += CONFUSABLES[ch] ?? ch;
  return foldUsername(out.normalize('NFD'));
}

/**
 * TR39's skeleton of the folded name: two names with one skeleton look alike.
 *
 * @example
 * usernameSkeleton('аdmin') === usernameSkeleton('admin') // Cyrillic а
 * usernameSkeleton('admın') === usernameSkeleton('ADMIN') // dotless ı
 */
export function usernameSkeleton(name: string): string {
  return skeletonOf(foldUsername(name));
}

/**
 * TR39's skeleton of the name as written (NFKC, not folded). Folding first
 * turns a capital `I` into `i` before the skeleton can read it as `l`, so
 * `aIice` and `alice` (identical in most sans-serif fonts) got different
 * folded skeletons; a name is compared by both.
 *
 * @example
 * casedUsernameSkeleton('aIice') === usernameSkeleton('alice') // capital I
 */
export function casedUsernameSkeleton(name: string): string {
  return skeletonOf(normalizeUsername(name));
}
