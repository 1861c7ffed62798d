import type { Clock } from '../lib/clock.ts';

/**
 * Failed sign-in counters per account and per client address, in a fixed
 * window. Checked before any password hashing, so a flood of guesses costs
 * the server nothing once it is throttled. Kept in memory: each process
 * throttles what it sees.
 */
export interface ThrottleLimits {
  windowSeconds: number;
  accountFailures: number;
  addressFailures: number;
}

interface Bucket {
  count: number;
  resetAt: number;
}

const MAX_BUCKETS = 100_000;

export function createLoginThrottle(limits: ThrottleLimits, clock: Clock) {
  const buckets = new Map<string, Bucket>();
  const windowMs = limits.windowSeconds * 1000;

  function live(key: string, now: number): Bucket | undefined {
    const b = buckets.get(key);
    if (b && b.resetAt <= now) {
      buckets.delete(key);
      return undefined;
    }
    return b;
  }

  function keys(account: string | null, address: string | null) {
    const out: Array<{ key: string; limit: number }> = [];
    if (account) out.push({ key: `a:${account.toLowerCase()}`, limit: limits.accountFailures });
    if (address) out.push({ key: `i:${address}`, limit: limits.addressFailures });
    return out;
  }

  return {
    /** Seconds to wait when throttled, or 0 when the attempt may proceed. */
    retryAfter(account: string | null, address: string | null): number {
      const now = clock.now().getTime();
      let wait = 0;
      for (const { key, limit } of keys(account, address)) {
        const b = live(key, now);
        if (b && b.count >= limit) wait = Math.max(wait, Math.ceil((b.resetAt - now) / 1000));
      }
      return wait;
    },
    fail(account: string | null, address: string | null): void {
      const now = clock.now().getTime();
      for (const { key } of keys(account, address)) {
        const b = live(key, now);
        if (b) b.count++;
        else {
          if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
          buckets.set(key, { count: 1, resetAt: now + windowMs });
        }
      }
    },
    /** A successful sign-in clears the account's counter (not the address's). */
    succeed(account: string): void {
      buckets.delete(`a:${account.toLowerCase()}`);
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
