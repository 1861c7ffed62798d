/**
 * Verified identities by the exact credential that proved them (cookie value
 * or Authorization header), so a wrong secret can never hit an entry.
 *
 * Two things end an entry, and nothing extends it:
 * - its own deadline (token expiry, key expiry, session end, or a short
 *   refresh so sessions and keys still record that they are in use);
 * - the access revision moving (any demotion, deactivation, sign-out, key
 *   revocation, in any process): the whole cache is dropped at once.
 *
 * An entry is stored under the revision read *before* it was resolved, and
 * only if that is still the current one, so a check that raced a change can
 * never store what it saw before the change as current.
 */
export function createIdentityCache<T>(limit = 10_000) {
  let generation: number | null = null;
  const entries = new Map<string, { value: T; until: number }>();
  return {
    /** Adopt the revision just read; true when it moved (everything cached is gone). */
    sync(revision: number): boolean {
      if (revision === generation) return false;
      entries.clear();
      const moved = generation !== null;
      generation = revision;
      return moved;
    },
    get(key: string, now: number): T | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (now < e.until) return e.value;
      entries.delete(key);
      return undefined;
    },
    set(key: string, value: T, until: number, revision: number, now: number): void {
      if (revision !== generation || until <= now) return;
      if (entries.size >= limit) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, until });
    },
    get size(): number {
      return entries.size;
    },
  };
}
export type IdentityCache<T> = ReturnType<typeof createIdentityCache<T>>;
