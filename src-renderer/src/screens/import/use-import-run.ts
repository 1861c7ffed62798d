import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleParams, ImportRunView } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';

const POLL_MS = 250;

/** The last run each connection started, so a screen left mid-run picks it up again (its report, links included, is read once). */
const lastRun = new Map<string, string>();

/**
 * One import run at a time, as the screen sees it: started in the main
 * process, read every quarter second until it ends (its progress, then its
 * report), and stopped on request. Leaving the screen stops the reading, not
 * the run; coming back picks the run up again.
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

  // Back on the screen: follow the run it left, if any (a finished one's report still arrives once).
  useEffect(() => {
    const left = lastRun.get(connection);
    if (left) follow(left);
  }, [connection, follow]);

  const start = useCallback(
    async (params: Omit<ConsoleParams<'startImport'>, 'connection'>) => {
      setError(null);
      const r = await call('startImport', { connection, ...params });
      if (!r.ok) return setError(r.error);
      setRun(r.value);
      lastRun.set(connection, r.value.run);
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
    lastRun.delete(connection);
    setRun(null);
    setError(null);
  }, [connection]);

  return { run, error, start, stop, clear };
}
