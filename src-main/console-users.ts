import type { ConsoleHandlers } from './contracts.ts';
import type { ConsoleSession } from './console-session.ts';
import type { UserQuery } from '../src-shared/domain.ts';
import { BULK_MAX_USERS } from '../src-shared/domain.ts';

type UserMethods =
  | 'listUsers'
  | 'listUserIds'
  | 'getUser'
  | 'getUsers'
  | 'createUser'
  | 'updateUser'
  | 'deleteUser'
  | 'setUsersActive'
  | 'userLifecycle'
  | 'exportUsers'
  | 'listKeys'
  | 'createKey'
  | 'revokeKey'
  | 'mintJwt';

/**
 * Users and keys: each a call to the backend of the connection it was
 * prepared for (STALE_CONNECTION, and nothing sent, when the console has
 * moved on). The schema admits only `field` / `-field` of
 * USER_ORDERING_FIELDS as an ordering, which is exactly UserQuery's.
 */
export function userHandlers(session: ConsoleSession): Pick<ConsoleHandlers, UserMethods> {
  const on = (connection: string) => session.backendFor(connection);
  return {
    listUsers: async ({ connection, ...q }) => (await on(connection)).listUsers(q as UserQuery),
    listUserIds: async ({ connection, filter, limit }) => (await on(connection)).listUserIds(filter as UserQuery, limit ?? BULK_MAX_USERS),
    getUser: async ({ connection, id }) => (await on(connection)).getUser(id),
    getUsers: async ({ connection, ids }) => (await on(connection)).getUsers([...new Set(ids)]),
    createUser: async ({ connection, ...input }) => (await on(connection)).createUser(input),
    updateUser: async ({ connection, id, patch }) => (await on(connection)).updateUser(id, patch),
    deleteUser: async ({ connection, id }) => {
      await (await on(connection)).deleteUser(id);
      return null;
    },
    /** Each user on its own (one refusal, the last superuser, does not undo the rest); only real changes are `changed`. */
    setUsersActive: async ({ connection, ids, active }) => (await on(connection)).setUsersActive([...new Set(ids)], active),
    userLifecycle: async ({ connection, ids, action, revoke_keys }) =>
      (await on(connection)).userLifecycle([...new Set(ids)], action, { revokeKeys: revoke_keys ?? false }),
    exportUsers: async ({ connection, filter, format }) => (await on(connection)).exportUsers(filter as UserQuery, format),
    listKeys: async ({ connection, user }) => (await on(connection)).listKeys(user),
    createKey: async ({ connection, user, name, expires_at }) => (await on(connection)).createKey(user, { name, expires_at: expires_at ?? null }),
    revokeKey: async ({ connection, user, keyId }) => (await on(connection)).revokeKey(user, keyId),
    mintJwt: async ({ connection }) => (await on(connection)).mintJwt(),
  };
}
