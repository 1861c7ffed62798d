import type { Clipboard } from '../contracts.ts';
import { CLIPBOARD_CLEAR_MS } from '../../src-shared/console-api.ts';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Copies secrets (keys, JWTs) to the OS clipboard and clears them after
 * 45 seconds, but only if the clipboard still holds that value: whatever the
 * user copied since is theirs and stays.
 */
export function createClipboardGuard(clipboard: Clipboard, opts: { clearAfterMs?: number; timers?: Timers } = {}) {
  const clearAfterMs = opts.clearAfterMs ?? CLIPBOARD_CLEAR_MS;
  const timers = opts.timers ?? realTimers;
  let pending: unknown = null;
  let secret: string | null = null;

  return {
    clearAfterMs,
    copy(text: string, sensitive = true): void {
      clipboard.writeText(text);
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
      secret = null;
      if (!sensitive) return;
      secret = text;
      pending = timers.setTimeout(() => {
        pending = null;
        secret = null;
        if (clipboard.readText() === text) clipboard.writeText('');
      }, clearAfterMs);
    },
    /** On quit: clear a secret still on the clipboard now rather than leave it behind. */
    flush(): void {
      if (pending === null) return;
      timers.clearTimeout(pending);
      pending = null;
      if (secret !== null && clipboard.readText() === secret) clipboard.writeText('');
      secret = null;
    },
  };
}
export type ClipboardGuard = ReturnType<typeof createClipboardGuard>;
