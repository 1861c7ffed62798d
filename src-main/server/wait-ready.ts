import type { ServerChild } from './server-child.ts';
import type { ExitInfo } from './failure.ts';

/** The child ended while we were waiting on it. */
export class ChildExitedError extends Error {
  constructor(readonly exit: ExitInfo & { spawnError: Error | null }) {
    super('the server process exited');
    this.name = 'ChildExitedError';
  }
}

export class DeadlineError extends Error {
  constructor() {
    super('deadline passed');
    this.name = 'DeadlineError';
  }
}

/** `work`, unless the child exits or the deadline passes first. */
export async function whileAlive<T>(child: ServerChild, deadline: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), Math.max(0, deadline - Date.now()));
  });
  const died = child.exited.then((exit) => Promise.reject(new ChildExitedError(exit)));
  try {
    return await Promise.race([work, late, died]);
  } finally {
    clearTimeout(timer);
  }
}

const POLL_MS = 100;

/**
 * Poll Graphistry's health path until it answers 200. The URL line is printed
 * once the socket listens; the poll proves requests are actually served.
 */
export async function waitHealthy(url: string, deadline: number, child: ServerChild): Promise<void> {
  while (!child.hasExited()) {
    try {
      const left = Math.max(1, deadline - Date.now());
      const res = await fetch(`${url}/ht/`, { signal: AbortSignal.timeout(Math.min(2_000, left)) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not answering yet
    }
    if (Date.now() >= deadline) throw new DeadlineError();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new ChildExitedError(await child.exited);
}
