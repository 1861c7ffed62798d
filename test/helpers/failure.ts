import { ConsoleFailure, type ConsoleError } from '../../src-shared/console-errors.ts';

/** The ConsoleError a call failed with; anything else (success, a plain Error) fails the test. */
export async function failure(call: Promise<unknown>): Promise<ConsoleError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ConsoleFailure) return e.error;
    throw e;
  }
  throw new Error('expected a ConsoleFailure, but the call succeeded');
}
