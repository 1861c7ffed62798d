import { AppError } from '../errors.ts';

/**
 * Bounds concurrent expensive work (argon2id) so a burst of sign-ins cannot
 * queue unbounded memory; past `queueLimit` waiters a call fails fast with
 * SERVER_BUSY instead of piling up.
 */
export function createSemaphore(limit: number, queueLimit: number) {
  let active = 0;
  const waiters: Array<() => void> = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active >= limit) {
        if (waiters.length >= queueLimit) {
          throw new AppError('SERVER_BUSY', 'The server is busy; try again shortly.', { headers: { 'Retry-After': '1' } });
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      } else {
        active++;
      }
      try {
        return await fn();
      } finally {
        const next = waiters.shift();
        if (next) next();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
export type Semaphore = ReturnType<typeof createSemaphore>;
