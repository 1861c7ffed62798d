/**
 * One-time messages carried across a redirect (post/redirect/get), kept in
 * this process's memory for a few minutes and keyed by session. A new secret
 * (key, JWT or invitation link) travels this way rather than in a cookie or the database; if
 * the redirect lands on another process the secret is simply not shown, and
 * the user makes another key.
 */
export type Flash =
  | { type: 'key'; id: string; secret: string; name: string; authorization: string; welcome?: 'first_admin' | 'signup' | 'invitation' }
  | { type: 'jwt'; token: string; expiresAt: string }
  | { type: 'org_invitation'; url: string; org: string; role: string; expiresAt: string }
  | { type: 'message'; kind: 'ok' | 'warn' | 'error'; text: string };

const TTL_MS = 5 * 60_000;
const MAX_SESSIONS = 10_000;

export function createFlashStore(now: () => number = Date.now) {
  const store = new Map<string, { items: Flash[]; expiresAt: number }>();
  return {
    push(sessionKey: string, item: Flash): void {
      const entry = store.get(sessionKey);
      if (entry && entry.expiresAt > now()) {
        entry.items.push(item);
        return;
      }
      if (store.size >= MAX_SESSIONS) store.delete(store.keys().next().value as string);
      store.set(sessionKey, { items: [item], expiresAt: now() + TTL_MS });
    },
    /** Read and forget. */
    take(sessionKey: string): Flash[] {
      const entry = store.get(sessionKey);
      store.delete(sessionKey);
      return entry && entry.expiresAt > now() ? entry.items : [];
    },
  };
}
export type FlashStore = ReturnType<typeof createFlashStore>;
