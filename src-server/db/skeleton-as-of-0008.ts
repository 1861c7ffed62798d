import frozen from './confusables-as-of-0008.json' with { type: 'json' };

/**
 * The look-alike skeletons exactly as migrations 0003a (`username_skeleton`)
 * and 0008 (`username_skeleton_cased`) computed them, frozen with their
 * confusables table (a copy of unhomoglyph 1.0.6's data, beside this file).
 *
 * A migration must compute today what it computed when it was written: the
 * live rule (lib/username-identity.ts) may change with its package's data,
 * and a database that migrates later would then store skeletons that the
 * rows migrated earlier do not have. When the live rule changes, the stored
 * skeletons are stale everywhere: that takes a new migration recomputing
 * them, never an edit here (skeleton-as-of-0008.test.ts says when).
 */
const CONFUSABLES: Record<string, string> = frozen.prototypes;

const SMALL_CAPITALS: Record<string, string> = {
  '\u0262': 'g', '\u026A': 'i', '\u0274': 'n', '\u0276': 'œ', '\u0280': 'r', '\u028F': 'y', '\u0299': 'b', '\u029C': 'h', '\u029F': 'l',
  '\u1D00': 'a', '\u1D01': 'æ', '\u1D04': 'c', '\u1D05': 'd', '\u1D07': 'e', '\u1D0A': 'j', '\u1D0B': 'k', '\u1D0D': 'm', '\u1D0F': 'o',
  '\u1D18': 'p', '\u1D1B': 't', '\u1D1C': 'u', '\u1D20': 'v', '\u1D21': 'w', '\u1D22': 'z', '\uA730': 'f', '\uA731': 's', '\uA7AF': 'q',
}; // prettier-ignore

function fold(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKC')) out += SMALL_CAPITALS[ch] ?? ch;
  return out.toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

function skeletonOf(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) out += CONFUSABLES[ch] ?? ch;
  return fold(out.normalize('NFD'));
}

/** Migration 0003a's `username_skeleton`: the skeleton of the case-folded name. */
export function foldedSkeleton0008(name: string): string {
  return skeletonOf(fold(name));
}

/** Migration 0008's `username_skeleton_cased`: the skeleton of the name as written (NFKC). */
export function casedSkeleton0008(name: string): string {
  return skeletonOf(name.normalize('NFKC'));
}
