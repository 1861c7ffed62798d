import type { ConsoleHandlers } from './contracts.ts';
import type { ConsoleSession } from './console-session.ts';
import { ConsoleFailure } from '../src-shared/console-errors.ts';
import type { User, UserQuery } from '../src-shared/domain.ts';

type UserMethods =
  | 'listUsers'
  | 'getUser'
  | 'createUser'
  | 'updateUser'
  | 'deleteUser'
  | 'setUserPassword'
  | 'setUsersActive'
  | 'listKeys'
  | 'createKey'
  | 'revokeKey'
  | 'mintJwt';

/** Users and keys: thin calls to the active backend, plus the bulk activate/deactivate loop. */
export function userHandlers(session: ConsoleSession): Pick<ConsoleHandlers, UserMethods> {
  return {
    // The schema admits only `field` / `-field` of USER_ORDERING_FIELDS, which is exactly UserQuery's ordering.
    listUsers: (q) => session.backend().listUsers(q as UserQuery),
    getUser: ({ id }) => session.backend().getUser(id),
    createUser: (input) => session.backend().createUser(input),
    updateUser: ({ id, patch }) => session.backend().updateUser(id, patch),
    deleteUser: async ({ id }) => {
      await session.backend().deleteUser(id);
      return null;
    },
    setUserPassword: ({ id, password }) => session.backend().setUserPassword(id, password),
    /** One request per user, in order, so one refusal (the last superuser) does not undo the rest; each failure is reported. */
    setUsersActive: async ({ ids, active }) => {
      const backend = session.backend();
      const updated: User[] = [];
      const failed: Array<{ id: number; code: string; message: string }> = [];
      for (const id of ids) {
        try {
          updated.push(await backend.updateUser(id, { is_active: active }));
        } catch (e) {
          if (!(e instanceof ConsoleFailure)) throw e;
          failed.push({ id, code: e.error.serverCode ?? e.error.code, message: e.error.message });
        }
      }
      return { updated, failed };
    },
    listKeys: ({ user }) => session.backend().listKeys(user),
    createKey: ({ user, name, expires_at }) => session.backend().createKey(user, { name, expires_at: expires_at ?? null }),
    revokeKey: ({ user, keyId }) => session.backend().revokeKey(user, keyId),
    mintJwt: () => session.backend().mintJwt(),
  };
}
