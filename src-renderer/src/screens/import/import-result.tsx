import { useState, type Ref } from 'react';
import type { ImportRunView } from '../../../../src-shared/console-api.ts';
import { Check } from '../../components/ui.tsx';
import { copyText } from '../../lib/copy.ts';
import { ImportReportTable } from './import-report-table.tsx';
import { secretsCsv } from './import-logic.ts';

/** Offer text as a file the browser (or Electron) saves: nothing is written by the console itself. */
function saveAs(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * What an import wrote: the server's sentence, the counts, each row, and the
 * set-password or invitation links and key secrets, which this screen shows
 * only now (the console does not keep them).
 */
export function ImportResult({ run, onAgain, ref }: { run: ImportRunView; onAgain(): void; ref?: Ref<HTMLElement> }) {
  const [onlyRefused, setOnlyRefused] = useState(false);
  const report = run.report;
  const secrets = report ? secretsCsv(report) : null;
  const stopped = run.state === 'stopped';
  return (
    <section className="card import-result" ref={ref} tabIndex={-1} aria-labelledby="import-result-h">
      <h2 id="import-result-h">{stopped ? 'Import stopped' : 'Import finished'}</h2>
      {report ? (
        <>
          <div className={`banner ${report.counts.error || stopped ? 'warn' : 'ok'}`} role="status">
            <span>{report.message}</span>
          </div>
          {secrets ? (
            <section className="banner warn once-notice" aria-label="Links and keys, shown once">
              <div className="once-body">
                <strong>Save these links{report.rows.some((r) => r.key) ? ' and keys' : ''} now: they are shown this once.</strong>
                <p>Each link works once: send each person their own. The console does not keep them.</p>
                <div className="actions">
                  <button type="button" onClick={() => saveAs(`import-links-${run.started_at.slice(0, 10)}.csv`, secrets)}>
                    Save as CSV
                  </button>
                  <button type="button" className="secondary" onClick={() => void copyText(secrets, { sensitive: true, what: 'Links copied' })}>
                    Copy all
                  </button>
                </div>
              </div>
            </section>
          ) : null}
          <Check label="Show only refused rows" checked={onlyRefused} onChange={setOnlyRefused} />
          <ImportReportTable report={report} label="Rows as imported" onlyRefused={onlyRefused} />
        </>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={onAgain}>
          Import another file
        </button>
      </div>
    </section>
  );
}
