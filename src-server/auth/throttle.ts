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

  /** Seconds to wait when throttled, or 0 when the attempt may proceed. */
  function retryAfter(account: string | null, address: string | null): number {
    const now = clock.now().getTime();
    let wait = 0;
    for (const { key, limit } of keys(account, address)) {
      const b = live(key, now);
      if (b && b.count >= limit) wait = Math.max(wait, Math.ceil((b.resetAt - now) / 1000));
    }
    return wait;
  }

  function fail(account: string | null, address: string | null): void {
    const now = clock.now().getTime();
    for (const { key } of keys(account, address)) {
      const b = live(key, now);
      if (b) b.count++;
      else {
        if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
        buckets.set(key, { count: 1, resetAt: now + windowMs });
      }
    }
  }

  /** Give back an attempt counted by `reserve` that was never judged (the hasher or the database failed). */
  function release(account: string | null, address: string | null): void {
    const now = clock.now().getTime();
    for (const { key } of keys(account, address)) {
      const b = live(key, now);
      if (b && b.count > 0) b.count--;
    }
  }

  return {
    retryAfter,
    fail,
    release,
    /**
     * Check and count an attempt in one synchronous step, before its password
     * is hashed: checking first and counting after the hash let any number of
     * concurrent guesses pass the check together. Returns seconds to wait (the
     * attempt is not counted) or 0 (it is counted as a failure until `succeed`
     * or `release`).
     */
    reserve(account: string | null, address: string | null): number {
      const wait = retryAfter(account, address);
      if (wait === 0) fail(account, address);
      return wait;
    },
    /** A successful sign-in clears the account's counter; the address only gets back the attempt `reserve` counted. */
    succeed(account: string, address: string | null = null): void {
      buckets.delete(`a:${account.toLowerCase()}`);
      if (address) release(null, address);
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
