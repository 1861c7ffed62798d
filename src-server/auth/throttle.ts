import type { Clock } from '../lib/clock.ts';
import { hmacSha256Hex } from '../lib/crypto.ts';
import { foldUsername } from '../lib/username-identity.ts';
import { addressGroup } from './address-group.ts';
import type { ThrottleCount, ThrottleRepo } from './throttle-repo.ts';

/**
 * Failed-credential counters in a fixed window, kept in the database so that
 * every server process on it counts the same failures (several instances on
 * one PostgreSQL allow no more guesses than one). The policy:
 *
 * - Per account: after `accountFailures` wrong passwords the account refuses
 *   every password, the right one too, before any hashing, whoever asks. A
 *   name that matches no account gets a counter of its own (by a keyed
 *   digest of its case fold), so unknown and known names are locked out alike and the
 *   lockout tells nothing about which exist. Accounts are counted by id,
 *   names by text, in separate spaces, so typing `#1` cannot lock out user 1.
 * - Per address (grouped: an IPv6 /64, an IPv4-mapped address as IPv4; see
 *   address-group.ts): many users can share one address (a NAT, a proxy
 *   without TRUST_PROXY, loopback), so an address over `addressFailures` is
 *   slowed, never shut: its attempts are verified one at a time (a queue;
 *   past SLOW_LANE_QUEUE waiting they are told to retry) and its failures
 *   answer 429 with Retry-After, but a correct password for an account that
 *   is not itself locked gets in. Nothing here depends on whether the name
 *   exists. The queue is this process's: the counts behind it are shared.
 * - Personal keys have their own per-address counter: password failures
 *   never hold back a key. A key is 256 random bits and cheap to check, so a
 *   correct one always works; failures past the limit answer 429.
 * - Anonymous single sign-on starts (each stores a pending sign-in and may
 *   fetch the IdP's discovery document) have a per-address counter of their
 *   own, every start counted: past the limit they answer 429.
 *
 * Windows that have ended are swept at most once a minute per process, so
 * the table holds no more than one window's failures.
 */
export interface ThrottleLimits {
  windowSeconds: number;
  accountFailures: number;
  addressFailures: number;
  /** Anonymous single sign-on starts per address in a window (every start counts). */
  ssoStarts: number;
}

/** What a password attempt is counted against: an account by id, or a typed name that matches none. */
export type AccountRef = { userId: number } | { name: string };

/** What reserving a password attempt found: seconds the account is locked for (nothing counted), and the address's wait judged before this attempt. */
export interface Reservation {
  locked: number;
  addressWait: number;
}

/**
 * Attempts an address over its limit may have waiting behind the one being
 * verified; more at once are told to retry. Generous, so that a brute force
 * of modest concurrency only delays (never refuses) the right password of
 * someone else behind the same address.
 */
export const SLOW_LANE_QUEUE = 64;
const SWEEP_EVERY_MS = 60_000;

export function createLoginThrottle(deps: { repo: ThrottleRepo; limits: ThrottleLimits; clock: Clock; secretKey: Buffer }) {
  const { repo, limits, clock } = deps;
  // Keyed: a typed name can be a pasted password, and the table must not let one be recovered by guessing digests.
  const nameKey = Buffer.from(hmacSha256Hex(deps.secretKey, 'graphistry-admin/throttle/typed-name/v1'), 'hex');
  const lanes = new Map<string, { tail: Promise<void>; size: number }>();
  const windowMs = limits.windowSeconds * 1000;
  let sweptAt = 0;

  const accountKey = (a: AccountRef) => ('userId' in a ? `u:${a.userId}` : `n:${hmacSha256Hex(nameKey, foldUsername(a.name))}`);
  const passwordAddressKey = (group: string) => `p:${group}`;
  const keyAddressKey = (group: string) => `k:${group}`;
  const ssoAddressKey = (group: string) => `s:${group}`;

  /** Seconds until a counter at `limit` is under it again; 0 when it is under now. */
  function wait(c: ThrottleCount | undefined, limit: number, now: number): number {
    if (!c) return 0;
    const resetAt = Date.parse(c.resetAt);
    return resetAt > now && c.failures >= limit ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : 0;
  }

  /** The times a counting statement needs; also sweeps ended windows when one is due. */
  async function stamp(): Promise<{ now: number; nowIso: string; resetIso: string }> {
    const now = clock.now().getTime();
    const nowIso = new Date(now).toISOString();
    if (now - sweptAt >= SWEEP_EVERY_MS || now < sweptAt) {
      sweptAt = now;
      await repo.sweep(nowIso);
    }
    return { now, nowIso, resetIso: new Date(now + windowMs).toISOString() };
  }

  return {
    /**
     * Before a password is hashed: when the account is locked, the seconds
     * to wait (nothing counted); else the attempt is counted as a failure
     * against the account and the address until `settlePassword` says
     * otherwise, with the address's wait as it stood before it. Counting
     * before the hash keeps concurrent guesses, on any process, from all
     * passing.
     */
    async reservePassword(account: AccountRef, address: string | null): Promise<Reservation> {
      const { now, nowIso, resetIso } = await stamp();
      const key = accountKey(account);
      if (!(await repo.countUnder(key, limits.accountFailures, nowIso, resetIso))) {
        // At the limit: how long for. Read apart, since the locked path is rare and never hashes.
        return { locked: Math.max(1, wait(await repo.read(key), limits.accountFailures, now)), addressWait: 0 };
      }
      if (!address) return { locked: 0, addressWait: 0 };
      const after = await repo.count(passwordAddressKey(addressGroup(address)), nowIso, resetIso);
      return { locked: 0, addressWait: wait({ ...after, failures: after.failures - 1 }, limits.addressFailures, now) };
    },

    /**
     * After the password was judged: a success clears the account's counter
     * and gives the address back its attempt; an attempt never judged (hasher
     * busy, database down) is given back to both; a failure stays counted.
     */
    async settlePassword(account: AccountRef, address: string | null, outcome: 'success' | 'failure' | 'unjudged'): Promise<void> {
      if (outcome === 'failure') return;
      const nowIso = clock.now().toISOString();
      // Together: on SQLite one hand-over to the database thread, on PostgreSQL two round trips at once.
      await Promise.all([
        outcome === 'success' ? repo.clear(accountKey(account)) : repo.giveBack(accountKey(account), nowIso),
        address ? repo.giveBack(passwordAddressKey(addressGroup(address)), nowIso) : undefined,
      ]);
    },

    /**
     * For an address over its password limit: wait for its turn, one
     * verification at a time in this process. Resolves to a release
     * function, or null when too many attempts from it are already queued
     * (answer 429). Addresses under the limit pass at once.
     */
    async slowLane(address: string | null): Promise<(() => void) | null> {
      if (!address) return () => undefined;
      const group = addressGroup(address);
      const now = clock.now().getTime();
      if (wait(await repo.read(passwordAddressKey(group)), limits.addressFailures, now) === 0) return () => undefined;
      let lane = lanes.get(group);
      if (!lane) lanes.set(group, (lane = { tail: Promise.resolve(), size: 0 }));
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
        if (--entered.size === 0 && lanes.get(group) === entered) lanes.delete(group);
      };
    },

    /** A personal key failed from this address: counted; seconds to tell the client to wait when the address was already past its limit, else 0. */
    async keyFailed(address: string | null): Promise<number> {
      if (!address) return 0;
      const { now, nowIso, resetIso } = await stamp();
      const after = await repo.count(keyAddressKey(addressGroup(address)), nowIso, resetIso);
      return wait({ ...after, failures: after.failures - 1 }, limits.addressFailures, now);
    },

    /**
     * An anonymous single sign-on start from this address: counted while the
     * address is under its limit (0: go on); past it, nothing counted and the
     * seconds to tell the client to wait.
     */
    async ssoStarted(address: string | null): Promise<number> {
      if (!address) return 0;
      const { now, nowIso, resetIso } = await stamp();
      const key = ssoAddressKey(addressGroup(address));
      if (await repo.countUnder(key, limits.ssoStarts, nowIso, resetIso)) return 0;
      return Math.max(1, wait(await repo.read(key), limits.ssoStarts, now));
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
