// A bundled server older than a feature answers its routes with the generic NOT_FOUND: the console says the server is
// older, and leaves every other refusal (a domain "not found" included) as the server gave it.
import { describe, expect, it } from 'vitest';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { newerServerCall } from './http-client.ts';

const refused = (serverCode: string) => () => Promise.reject(new ConsoleFailure({ code: 'SERVER_ERROR', serverCode, message: 'as the server said' }));
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: ConsoleFailure) => e.error,
  );

describe('newerServerCall', () => {
  it('turns the generic NOT_FOUND into UNSUPPORTED naming the feature, and passes the rest on unchanged', async () => {
    expect(await errorOf(newerServerCall('single sign-on', refused('NOT_FOUND')))).toEqual({
      code: 'UNSUPPORTED',
      serverCode: 'UNSUPPORTED',
      message: 'This Graphistry Admin server is older than single sign-on: update it.',
    });
    expect(await errorOf(newerServerCall('organizations', refused('ORG_NOT_FOUND')))).toEqual({
      code: 'SERVER_ERROR',
      serverCode: 'ORG_NOT_FOUND',
      message: 'as the server said',
    });
    expect(await newerServerCall('organizations', async () => 42)).toBe(42);
  });
});
