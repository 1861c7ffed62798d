import { useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner, Spinner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';

const LINES = 200;

/** The last lines of the bundled server's output; fetched when shown and whenever `version` changes (after a start or stop). */
export function ServerLog({ id, version }: { id: string; version: number }) {
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [reload, setReload] = useState(0);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let live = true;
    void call('bundledServerLog', { lines: LINES }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setLines(r.value.lines);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [version, reload]);

  // The newest lines are what matter: start scrolled to the bottom.
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines]);

  return (
    <div className="server-log" id={id}>
      <div className="server-log-head">
        <span className="muted small">Last {LINES} lines of the server's output</span>
        <button type="button" className="ghost small" onClick={() => setReload((n) => n + 1)}>
          Refresh log
        </button>
      </div>
      <ErrorBanner error={error} />
      {lines === null && !error ? (
        <Spinner label="Loading the log" />
      ) : (
        // Focusable so keyboard users can scroll it.
        <pre ref={pre} className="log" tabIndex={0} aria-label="Bundled server log">
          {lines && lines.length ? lines.join('\n') : 'No output yet.'}
        </pre>
      )}
    </div>
  );
}
