import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleError, Result } from '../../../src-shared/console-errors.ts';

/**
 * Load something through the bridge and reload it on demand. Only the latest
 * load may write: a create and a revoke in quick succession both reload, and a
 * slow earlier answer must not overwrite a newer one; a screen left while
 * loading is not written to afterwards.
 */
export function useLatest<T>(load: () => Promise<Result<T>>) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    const r = await load();
    if (mine !== seq.current) return;
    setLoading(false);
    if (r.ok) {
      setValue(r.value);
      setError(null);
    } else setError(r.error);
  }, [load]);

  useEffect(() => {
    void reload();
    // Moving the live counter on is the point: it makes the load in flight stale.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    return () => void ++seq.current;
  }, [reload]);

  return { value, error, loading, reload };
}
