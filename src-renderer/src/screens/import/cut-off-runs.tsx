import { useEffect, useState } from 'react';
import type { ImportJournalView } from '../../../../src-shared/console-api.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { exact, shortWhen } from '../keys/format.ts';

/**
 * Imports into this server that were cut off (the console closed mid-run):
 * exactly which rows were written, and the one row whose fate only the
 * server knows, from the journal the run kept.
 */
export function CutOffRuns() {
  const connection = useConnection();
  const [runs, setRuns] = useState<ImportJournalView[]>([]);
  useEffect(() => {
    void call('importJournals', { connection }).then((r) => r.ok && setRuns(r.value.filter((j) => !j.finished)));
  }, [connection]);
  if (!runs.length) return null;
  return (
    <section className="card cut-off" aria-labelledby="cut-off-h">
      <h2 id="cut-off-h">Imports that were cut off</h2>
      {runs.map((j) => (
        <div key={j.file} className="banner warn">
          <div>
            <p>
              <strong title={exact(j.modified_at)}>Last written {shortWhen(j.modified_at)}</strong>: {j.written.length} of {j.rows} rows written
              {j.refused.length ? `, ${j.refused.length} refused` : ''}; the rest were not sent.
            </p>
            {j.unknown.map((u) => (
              <p key={u.line}>
                Line {u.line} (<span className="ident">{u.username}</span>) was being sent: look for it in Users before importing the file again.
              </p>
            ))}
            <p className="muted small">
              Import the same file again with “Skip them” for existing accounts to finish it. Journal: <code>{j.file}</code>
            </p>
          </div>
        </div>
      ))}
    </section>
  );
}
