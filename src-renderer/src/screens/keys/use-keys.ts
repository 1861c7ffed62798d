import { useCallback, useEffect, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useLatest } from '../../lib/use-latest.ts';

export type KeyOwner = 'me' | number;

/** The key list of one user (latest load wins; see useLatest). */
export function useKeys(owner: KeyOwner) {
  const connection = useConnection();
  const load = useCallback(() => call('listKeys', { connection, user: owner }), [connection, owner]);
  const { value: keys, error, loading, reload } = useLatest(load);
  return { keys, error, loading, reload };
}

/** Whose keys these are, as a name: the signed-in admin's from the connection, anyone else's from the server. */
export function useOwnerName(userId: number | undefined, myName: string | undefined) {
  const [name, setName] = useState<string | null>(userId === undefined ? (myName ?? null) : null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const connection = useConnection();
  useEffect(() => {
    if (userId === undefined) {
      setName(myName ?? null);
      return;
    }
    let live = true;
    void call('getUser', { connection, id: userId }).then((r) => {
      if (!live) return;
      if (r.ok) setName(r.value.username);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [connection, userId, myName]);
  return { name, error };
}
