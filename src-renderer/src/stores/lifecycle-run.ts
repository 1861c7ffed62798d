import type { BulkActiveResult } from '../../../src-shared/domain.ts';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import type { LifecycleAction } from '../../../src-shared/lifecycle-schemas.ts';
import { call } from '../lib/api.ts';

/** What each action is called where it is offered and confirmed. */
export const LIFECYCLE_WORDS: Readonly<Record<LifecycleAction, { button: string; done: string }>> = Object.freeze({
  sign_out: { button: 'Sign out everywhere', done: 'signed out everywhere' },
  require_password_change: { button: 'Require password change', done: 'asked to choose a new password' },
  revoke_keys: { button: 'Revoke all keys', done: 'left with no usable key' },
});

/** What a confirmation says each action does (none can be undone: a session ended stays ended). */
export function lifecycleEffect(action: LifecycleAction, who: string, revokeKeys = false): string {
  if (action === 'sign_out')
    return `${who}: every browser session, JWT and token refresh ends on its next request. ${revokeKeys ? 'Their API keys are revoked too.' : 'API keys keep working.'} This cannot be undone; they can sign in again.`;
  if (action === 'require_password_change')
    return `${who}: password sign-in is held until they choose a new password (the sign-in page asks them to; the token API answers PASSWORD_CHANGE_REQUIRED). API keys keep working.`;
  return `${who}: every usable API key is revoked, and tokens made from them end. This cannot be undone: new keys must be made.`;
}

/**
 * One lifecycle action over `ids` on `connection`, in calls of `batch` users,
 * each user judged on its own; the first failed call stops the run (what
 * was done stays done, and is counted).
 */
export async function runLifecycle(
  connection: string,
  ids: readonly number[],
  action: LifecycleAction,
  opts: { revokeKeys?: boolean; batch?: number; onProgress?: (done: number) => void } = {},
): Promise<{ result: BulkActiveResult; error: ConsoleError | null }> {
  const batch = Math.max(1, Math.min(500, opts.batch ?? 100));
  const result: BulkActiveResult = { changed: [], unchanged: [], failed: [] };
  for (let i = 0; i < ids.length; i += batch) {
    const r = await call('userLifecycle', {
      connection,
      ids: ids.slice(i, i + batch),
      action,
      ...(action === 'sign_out' && opts.revokeKeys ? { revoke_keys: true } : {}),
    });
    if (!r.ok) return { result, error: r.error };
    result.changed.push(...r.value.changed);
    result.unchanged.push(...r.value.unchanged);
    result.failed.push(...r.value.failed);
    opts.onProgress?.(Math.min(ids.length, i + batch));
  }
  return { result, error: null };
}

/** "3 users signed out everywhere; 1 already so; 1 failed: …" */
export function lifecycleSummary(action: LifecycleAction, r: BulkActiveResult): string {
  const n = (x: number) => `${x.toLocaleString('en-US')} user${x === 1 ? '' : 's'}`;
  const parts = [`${n(r.changed.length)} ${LIFECYCLE_WORDS[action].done}`];
  if (r.unchanged.length) parts.push(`${n(r.unchanged.length)} already so`);
  if (r.failed.length) parts.push(`${r.failed.length} failed: ${r.failed[0]!.message}`);
  return `${parts.join('; ')}.`;
}
