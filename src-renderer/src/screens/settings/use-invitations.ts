import { useCallback } from 'react';
import { call } from '../../lib/api.ts';
import { useLatest } from '../../lib/use-latest.ts';

/** Every invitation (used, expired and revoked too, so the list answers "what happened to that link?"). */
export function useInvitations() {
  const load = useCallback(() => call('listInvitations', { status: 'all' }), []);
  const { value: invitations, error, loading, reload } = useLatest(load);
  return { invitations, error, loading, reload };
}
