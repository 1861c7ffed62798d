/**
 * At most `limit` tasks at once; the others wait their turn, in order. With a
 * `queue`, no more than `queue.limit` wait: a task past them fails at once
 * with `queue.full()` instead of piling up (the server's password hashing:
 * a burst of sign-ins cannot queue unbounded memory). Without one, every
 * task waits (the console's requests to a Graphistry, as a browser queues
 * them per host).
 */
export function createSemaphore(limit: number, queue?: { limit: number; full: () => Error }) {
  let active = 0;
  const waiters: Array<() => void> = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active >= limit) {
        if (queue && waiters.length >= queue.limit) throw queue.full();
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
  };
}
