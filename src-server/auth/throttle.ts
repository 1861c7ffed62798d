import type { Clock } from '../lib/clock.ts';
import { foldUsername } from '../users/username-identity.ts';

/**
 * Failed-credential counters in a fixed window, kept in memory (each process
 * throttles what it sees). The policy:
 *
 * - Per account: after `accountFailures` wrong passwords the account refuses
 *   every password, the right one too, before any hashing, whoever asks. A
 *   name that matches no account gets a counter of its own (by its case
 *   fold), so unknown and known names are locked out alike and the lockout
 *   tells nothing about which exist. Accounts are counted by id, names by
 *   text, in separate spaces, so typing `#1` cannot lock out user 1.
 * - Per address: many users can share one address (a NAT, a proxy without
 *   TRUST_PROXY, loopback), so an address over `addressFailures` is slowed,
 *   never shut: its attempts are verified one at a time (a queue; past
 *   SLOW_LANE_QUEUE waiting they are told to retry) and its failures answer 429 with Retry-After,
 *   but a correct password for an account that is not itself locked gets in.
 *   Nothing here depends on whether the name exists.
 * - Personal keys have their own per-address counter: password failures
 *   never hold back a key. A key is 256 random bits and cheap to check, so a
 *   correct one always works; failures past the limit answer 429.
 */
export interface ThrottleLimits {
  windowSeconds: number;
  accountFailures: number;
  addressFailures: number;
}

/** What a password attempt is counted against: an account by id, or a typed name that matches none. */
export type AccountRef = { userId: number } | { name: string };

interface Bucket {
  count: number;
  resetAt: number;
}

const MAX_BUCKETS = 100_000;
/**
 * Attempts an address over its limit may have waiting behind the one being
 * verified; more at once are told to retry. Generous, so that a brute force
 * of modest concurrency only delays (never refuses) the right password of
 * someone else behind the same address.
 */
export const SLOW_LANE_QUEUE = 64;

export function createLoginThrottle(limits: ThrottleLimits, clock: Clock) {
  const buckets = new Map<string, Bucket>();
  const lanes = new Map<string, { tail: Promise<void>; size: number }>();
  const windowMs = limits.windowSeconds * 1000;

  const accountKey = (a: AccountRef) => ('userId' in a ? `u:${a.userId}` : `n:${foldUsername(a.name)}`);
  const passwordAddressKey = (address: string) => `p:${address}`;
  const keyAddressKey = (address: string) => `k:${address}`;

  function live(key: string, now: number): Bucket | undefined {
    const b = buckets.get(key);
    if (b && b.resetAt <= now) {
      buckets.delete(key);
      return undefined;
    }
    return b;
  }

  /** Seconds until `key` is under `limit` again; 0 when it is under now. */
  function wait(key: string, limit: number): number {
    const now = clock.now().getTime();
    const b = live(key, now);
    return b && b.count >= limit ? Math.max(1, Math.ceil((b.resetAt - now) / 1000)) : 0;
  }

  function count(key: string, by = 1): void {
    const now = clock.now().getTime();
    const b = live(key, now);
    if (b) b.count = Math.max(0, b.count + by);
    else if (by > 0) {
      if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
      buckets.set(key, { count: by, resetAt: now + windowMs });
    }
  }

  return {
    /**
     * Before a password is hashed: seconds to wait when the account is locked
     * (nothing counted), else 0 and the attempt is counted as a failure
     * against the account and the address until `settle` says otherwise.
     * Counting before the hash keeps concurrent guesses from all passing.
     */
    reservePassword(account: AccountRef, address: string | null): number {
      const locked = wait(accountKey(account), limits.accountFailures);
      if (locked > 0) return locked;
      count(accountKey(account));
      if (address) count(passwordAddressKey(address));
      return 0;
    },

    /**
     * After the password was judged: a success clears the account's counter
     * and gives the address back its attempt; an attempt never judged (hasher
     * busy, database down) is given back to both; a failure stays counted.
     */
    settlePassword(account: AccountRef, address: string | null, outcome: 'success' | 'failure' | 'unjudged'): void {
      if (outcome === 'failure') return;
      if (outcome === 'success') buckets.delete(accountKey(account));
      else count(accountKey(account), -1);
      if (address) count(passwordAddressKey(address), -1);
    },

    /** Seconds to wait while this address is past its password limit (0 under it); read before an attempt is counted. */
    passwordAddressWait(address: string | null): number {
      return address ? wait(passwordAddressKey(address), limits.addressFailures) : 0;
    },

    /**
     * For an address over its password limit: wait for its turn, one
     * verification at a time. Resolves to a release function, or null when
     * too many attempts from it are already queued (answer 429). Addresses
     * under the limit pass at once.
     */
    async slowLane(address: string | null): Promise<(() => void) | null> {
      if (!address || wait(passwordAddressKey(address), limits.addressFailures) === 0) return () => undefined;
      let lane = lanes.get(address);
      if (!lane) lanes.set(address, (lane = { tail: Promise.resolve(), size: 0 }));
      if (lane.size > SLOW_LANE_QUEUE) return null;
      const entered = lane;
      entered.size++;
      let done!: () => void;
      const mine = new Promise<void>((resolve) => (done = resolve));
      const before = entered.tail;
      entered.tail = before.then(() => mine);
      await before;
      return () => {
        done();
        if (--entered.size === 0 && lanes.get(address) === entered) lanes.delete(address);
      };
    },

    /** A personal key failed from this address: counted; seconds to tell the client to wait when the address was already past its limit, else 0. */
    keyFailed(address: string | null): number {
      if (!address) return 0;
      const past = wait(keyAddressKey(address), limits.addressFailures);
      count(keyAddressKey(address));
      return past;
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
