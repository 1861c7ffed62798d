import { useCallback } from 'react';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useLatest } from '../../lib/use-latest.ts';

/** Every invitation (used, expired and revoked too, so the list answers "what happened to that link?"). */
export function useInvitations() {
  const connection = useConnection();
  const load = useCallback(() => call('listInvitations', { connection, status: 'all' }), [connection]);
  const { value: invitations, error, loading, reload } = useLatest(load);
  return { invitations, error, loading, reload };
}
