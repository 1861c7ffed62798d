import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { PersonalKey } from '../../../../src-shared/domain.ts';
import { call } from '../../lib/api.ts';

export type KeyOwner = 'me' | number;

/**
 * The key list of one user. Only the latest load may write the list, so a
 * slow answer to an earlier reload cannot overwrite a newer one (a create or
 * revoke reloads while the first load may still be on its way).
 */
export function useKeys(owner: KeyOwner) {
  const [keys, setKeys] = useState<PersonalKey[] | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    const r = await call('listKeys', { user: owner });
    if (mine !== seq.current) return;
    setLoading(false);
    if (r.ok) {
      setKeys(r.value);
      setError(null);
    } else setError(r.error);
  }, [owner]);

  useEffect(() => {
    void reload();
    // A screen that is left while loading must not be written to afterwards.
    return () => void ++seq.current;
  }, [reload]);

  return { keys, error, loading, reload };
}

/** Whose keys these are, as a name: the signed-in admin's from the connection, anyone else's from the server. */
export function useOwnerName(userId: number | undefined, myName: string | undefined) {
  const [name, setName] = useState<string | null>(userId === undefined ? (myName ?? null) : null);
  const [error, setError] = useState<ConsoleError | null>(null);
  useEffect(() => {
    if (userId === undefined) {
      setName(myName ?? null);
      return;
    }
    let live = true;
    void call('getUser', { id: userId }).then((r) => {
      if (!live) return;
      if (r.ok) setName(r.value.username);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [userId, myName]);
  return { name, error };
}
