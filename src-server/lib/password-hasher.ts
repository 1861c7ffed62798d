import { createSemaphore } from './semaphore.ts';
import { createArgon2Threads } from './argon2-threads.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** OWASP's argon2id baseline, as design.md asks: m=19456 KiB, t=2, p=1. */
export const ARGON2ID_PARAMS = Object.freeze({
  algorithm: 2, // Algorithm.Argon2id (a const enum, so spelled out)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/**
 * argon2id on hashing threads of lower CPU priority (never on the event loop,
 * never on libuv's shared pool; see argon2-threads.ts), with at most
 * `concurrency` hashes in flight.
 */
export function createArgon2Hasher(concurrency: number, queueLimit: number): PasswordHasher {
  const gate = createSemaphore(concurrency, queueLimit);
  const threads = createArgon2Threads();
  return {
    hash: (password) => gate.run(() => threads.hash(password, ARGON2ID_PARAMS)),
    verify: (stored, password) =>
      gate.run(async () => {
        try {
          return await threads.verify(stored, password);
        } catch {
          return false; // a malformed stored hash never verifies
        }
      }),
  };
}

/**
 * Fast stand-in for tests only: still salted and still compared in constant
 * time, but cheap, so suites that create hundreds of users stay quick.
 */
export function createFastTestHasher(): PasswordHasher {
  return {
    async hash(password) {
      const { randomBytes, scryptSync } = await import('node:crypto');
      const salt = randomBytes(8).toString('hex');
      return `test$${salt}$${scryptSync(password, salt, 16, { N: 16 }).toString('hex')}`;
    },
    async verify(stored, password) {
      const { scryptSync, timingSafeEqual } = await import('node:crypto');
      const [tag, salt, digest] = stored.split('$');
      if (tag !== 'test' || !salt || !digest) return false;
      const actual = scryptSync(password, salt, 16, { N: 16 });
      const expected = Buffer.from(digest, 'hex');
      return expected.length === actual.length && timingSafeEqual(actual, expected);
    },
  };
}
