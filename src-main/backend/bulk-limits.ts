import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { BULK_CALL_MAX_USERS, BULK_MAX_USERS, GET_USERS_MAX } from '../../src-shared/domain.ts';

/**
 * The Backend contract's limits on bulk calls, checked the same way by both
 * backends before anything is sent: a caller over them has a bug (it was to
 * split the run, or narrow the query), and a clear VALIDATION says so where
 * the bundled server would say it only after the round trip and a Graphistry
 * not at all.
 */
export function checkBulkCall(ids: readonly number[]): void {
  if (ids.length > BULK_CALL_MAX_USERS) {
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: `At most ${BULK_CALL_MAX_USERS} users per call (${ids.length} given): send the rest in further calls.`,
      fields: [{ field: 'ids', message: `at most ${BULK_CALL_MAX_USERS}` }],
    });
  }
}

/** getUsers reads a page per user on a Graphistry: the caller sends a screenful at most, and shows progress between calls. */
export function checkGetUsers(ids: readonly number[]): void {
  if (ids.length > GET_USERS_MAX) {
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: `At most ${GET_USERS_MAX} users per call (${ids.length} given): send the rest in further calls.`,
      fields: [{ field: 'ids', message: `at most ${GET_USERS_MAX}` }],
    });
  }
}

export function checkIdsLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > BULK_MAX_USERS) {
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: `Ask for 1 to ${BULK_MAX_USERS} matching users (${limit} asked): past that, narrow the search first.`,
      fields: [{ field: 'limit', message: `must be 1 to ${BULK_MAX_USERS}` }],
    });
  }
}
