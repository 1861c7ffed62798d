import { useScreenAddress, type ScreenAddress } from '../../lib/use-screen-address.ts';
import { paramsToQuery, queryToParams, type UsersQuery } from '../../stores/users-query.ts';
import { usersStore, type UsersState } from '../../stores/users-store.ts';

const USERS_ADDRESS: ScreenAddress<UsersState, UsersQuery> = {
  route: 'users',
  store: usersStore,
  query: (s) => s.query,
  toParams: queryToParams,
  fromParams: paramsToQuery,
  apply: (q) => usersStore.getState().applyQuery(q),
  load: () => void usersStore.getState().load(),
  // Typing a search replaces its own step.
  replaces: (q, prev) => q.search !== prev.search,
};

/** The Users list's search, filters, sort and page in its address: `#/users?q=ali&staff=yes&o=-date_joined&page=2`. */
export function useUsersAddress(): void {
  useScreenAddress(USERS_ADDRESS);
}
