import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleParams, ImportRunView } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';

const POLL_MS = 250;

/**
 * One import run at a time, as the screen sees it: started in the main
 * process, read every quarter second until it ends (its progress, then its
 * report), and stopped on request. Leaving the screen stops the reading, not
 * the run.
 */
export function useImportRun(connection: string) {
  const [run, setRun] = useState<ImportRunView | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const follow = useCallback(
    (id: string) => {
      timer.current = setTimeout(() => {
        void (async () => {
          const r = await call('importStatus', { connection, run: id });
          if (!alive.current) return;
          if (!r.ok) return setError(r.error);
          setRun(r.value);
          if (r.value.state === 'running') follow(id);
        })();
      }, POLL_MS);
    },
    [connection],
  );

  const start = useCallback(
    async (params: Omit<ConsoleParams<'startImport'>, 'connection'>) => {
      setError(null);
      const r = await call('startImport', { connection, ...params });
      if (!r.ok) return setError(r.error);
      setRun(r.value);
      follow(r.value.run);
    },
    [connection, follow],
  );

  const stop = useCallback(async () => {
    if (!run || run.state !== 'running') return;
    const r = await call('stopImport', { connection, run: run.run });
    if (!r.ok) setError(r.error);
  }, [connection, run]);

  const clear = useCallback(() => {
    setRun(null);
    setError(null);
  }, []);

  return { run, error, start, stop, clear };
}
