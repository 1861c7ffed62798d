import type { UserRow } from '../db/schema.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { AccountRef, LoginThrottle } from './throttle.ts';

/**
 * The one place a typed password is checked against an account: sign-in (API
 * and page) and the current password on a password change alike, so every
 * guess at a password is throttled and audited the same way whichever door
 * it comes through.
 */
export interface PasswordAttempt {
  /** The account the typed name resolved to; undefined when it matches none. */
  user: UserRow | undefined;
  /** What was typed to name the account (the throttle's key when it matches none). */
  typed: string;
  password: string;
  /** A right password for an account that may not sign in (inactive) still fails. */
  usable: boolean;
  ip: string | null;
  /** The audit entry written for a failure: its `reason` is added here. */
  audit: { actor: Actor; action: string; target: string; detail?: Record<string, unknown> };
}

export type PasswordVerdict = { ok: true } | { ok: false; reason: string; retryAfter: number };

export function createPasswordCheck(deps: { hasher: PasswordHasher; throttle: LoginThrottle; audit: AuditService }) {
  const { hasher, throttle, audit } = deps;
  // Verified against when the name is unknown, so an unknown name costs the
  // same argon2id time as a wrong password.
  let dummyHash: Promise<string> | null = null;
  const getDummyHash = () => (dummyHash ??= hasher.hash('graphistry-admin-dummy-password'));

  async function failed(a: PasswordAttempt, reason: string, retryAfter: number): Promise<PasswordVerdict> {
    const target = a.user ? { targetType: 'user', targetId: Number(a.user.id) } : {};
    // A name that matched no account may be a pasted password, key or token: the log keeps only a marker of it.
    const shown = (text: string) => (!a.user && text === a.typed ? audit.unknownName(text) : text);
    const actor = { ...a.audit.actor, username: shown(a.audit.actor.username) };
    await audit.record(actor, { action: a.audit.action, outcome: 'failure', target: shown(a.audit.target), ...target, detail: { ...a.audit.detail, reason } });
    return { ok: false, reason, retryAfter };
  }

  /** Judge one attempt. Never throws for a wrong password; `retryAfter` > 0 means answer 429. */
  return async function checkPassword(a: PasswordAttempt): Promise<PasswordVerdict> {
    const account: AccountRef = a.user ? { userId: Number(a.user.id) } : { name: a.typed };
    const leave = await throttle.slowLane(a.ip);
    if (!leave) return failed(a, 'throttled', 1);
    let ok: boolean;
    // Whether this address was already past its limit, judged before this attempt counts.
    let addressWait: number;
    try {
      const reserved = await throttle.reservePassword(account, a.ip);
      if (reserved.locked > 0) return await failed(a, 'throttled', reserved.locked);
      addressWait = reserved.addressWait;
      try {
        ok = await hasher.verify(a.user?.password_hash ?? (await getDummyHash()), a.password);
      } catch (e) {
        // The hasher's error is the one to report, whatever happens to the give-back.
        await throttle.settlePassword(account, a.ip, 'unjudged').catch(() => undefined);
        throw e;
      }
    } finally {
      leave();
    }
    if (a.user && ok && a.usable) {
      await throttle.settlePassword(account, a.ip, 'success');
      return { ok: true };
    }
    const reason = !a.user ? 'unknown_user' : !ok ? 'bad_password' : 'inactive';
    return failed(a, reason, addressWait);
  };
}
export type PasswordCheck = ReturnType<typeof createPasswordCheck>;
