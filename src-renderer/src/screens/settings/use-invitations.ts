import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { InvitationView } from '../../../../src-shared/domain.ts';
import { call } from '../../lib/api.ts';

/** Every invitation (used, expired and revoked too, so the list answers "what happened to that link?"). */
export function useInvitations() {
  const [invitations, setInvitations] = useState<InvitationView[] | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    // Only the latest reload may write: a create and a revoke in quick succession both reload.
    const mine = ++seq.current;
    setLoading(true);
    const r = await call('listInvitations', { status: 'all' });
    if (mine !== seq.current) return;
    setLoading(false);
    if (r.ok) {
      setInvitations(r.value);
      setError(null);
    } else setError(r.error);
  }, []);

  useEffect(() => {
    void reload();
    return () => void ++seq.current;
  }, [reload]);

  return { invitations, error, loading, reload };
}
