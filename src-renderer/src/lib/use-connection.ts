import { currentConnection, useApp } from '../stores/app-store.ts';

/**
 * Never a live connection: what a call is prepared for when the screen has
 * none, so main refuses it (STALE_CONNECTION) rather than acting anywhere.
 */
export const NO_CONNECTION = 'none.0000000000000000';

/**
 * The connection the calling screen belongs to, for every call it makes to
 * the server. The shell keys each screen by it, so it never changes during
 * a screen's life: an action always names the connection its data came from.
 */
export function useConnection(): string {
  return useApp(currentConnection) ?? NO_CONNECTION;
}
