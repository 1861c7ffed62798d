import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { createArgon2Hasher } from './password-hasher.ts';

describe('createArgon2Hasher', () => {
  it('answers SERVER_BUSY with Retry-After past HASH_QUEUE_LIMIT waiting hashes, and still verifies the ones it took', async () => {
    const hasher = createArgon2Hasher(1, 1);
    const stored = await hasher.hash('correct horse');
    const results = await Promise.allSettled([hasher.verify(stored, 'correct horse'), hasher.verify(stored, 'wrong'), hasher.verify(stored, 'correct horse')]);
    expect(results.slice(0, 2)).toEqual([
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: false },
    ]);
    const refused = results[2]!.status === 'rejected' ? (results[2] as PromiseRejectedResult).reason : null;
    expect(isAppError(refused) && refused.code).toBe('SERVER_BUSY');
    expect(isAppError(refused) && refused.headers).toEqual({ 'Retry-After': '1' });
  });
});
