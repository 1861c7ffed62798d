import { hash, verify } from '@node-rs/argon2';
import { createSemaphore } from '../../src-shared/semaphore.ts';
import { AppError } from '../errors.ts';

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

/** libuv's thread pool: UV_THREADPOOL_SIZE as the process started with it, else libuv's 4. */
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;

/**
 * argon2id with at most `concurrency` hashes in flight (HASH_CONCURRENCY,
 * one less than the cores by default, so a burst of sign-ins leaves a core to
 * the event loop) and a bounded queue behind them: past it, a sign-in is
 * refused at once with SERVER_BUSY and Retry-After instead of waiting.
 * @node-rs/argon2's async functions run on libuv's thread pool, never on the
 * event loop. That pool also runs every JWT signature check (WebCrypto) and
 * log write, so hashes leave at least one of its threads to them: otherwise,
 * on a machine of five cores or more, every API call of a burst of sign-ins
 * would wait for a ~50 ms hash to end.
 */
export function createArgon2Hasher(concurrency: number, queueLimit: number): PasswordHasher {
  const gate = createSemaphore(Math.max(1, Math.min(concurrency, POOL_THREADS - 1)), {
    limit: queueLimit,
    full: () => new AppError('SERVER_BUSY', 'The server is busy; try again shortly.', { headers: { 'Retry-After': '1' } }),
  });
  return {
    hash: (password) => gate.run(() => hash(password, ARGON2ID_PARAMS)),
    verify: (stored, password) =>
      gate.run(async () => {
        try {
          return await verify(stored, password);
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
