import { useEffect, useId, useRef, useState } from 'react';
import type { ImportRunView } from '../../../../src-shared/console-api.ts';
import type { ImportMode, OnExisting } from '../../../../src-shared/user-import-schemas.ts';
import { ErrorBanner, PageHead, Check, Spinner } from '../../components/ui.tsx';
import { useConnection } from '../../lib/use-connection.ts';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { CutOffRuns } from './cut-off-runs.tsx';
import { ImportReportTable } from './import-report-table.tsx';
import { checkSummary, importable, toBase64 } from './import-logic.ts';
import { ImportResult } from './import-result.tsx';
import { useImportRun } from './use-import-run.ts';

const ON_EXISTING_LABEL: Readonly<Record<OnExisting, string>> = {
  error: 'Refuse them (the row is an error)',
  skip: 'Skip them',
  update: 'Update them from the file',
};

interface Picked {
  name: string;
  size: number;
  content: string;
}

/**
 * Import users from a CSV or JSON-lines file: pick it, check it (every row's
 * outcome, nothing written), then import exactly what the check showed. Any
 * change to the file or the options asks for a new check first.
 */
export function ImportScreen() {
  useTitle('Import users');
  const connection = useConnection();
  const note = useApp((s) => s.status?.capabilities?.import_note ?? null);
  const remote = note !== null;
  const id = useId();
  const [file, setFile] = useState<Picked | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [mode, setMode] = useState<ImportMode>('create');
  const [onExisting, setOnExisting] = useState<OnExisting>('error');
  const [continueOnError, setContinueOnError] = useState(false);
  const [withKeys, setWithKeys] = useState(false);
  const [onlyRefused, setOnlyRefused] = useState(false);
  const [checked, setChecked] = useState<ImportRunView | null>(null);
  const { run, error, start, stop, clear } = useImportRun(connection);
  const resultRef = useRef<HTMLElement>(null);

  const options = { mode, on_existing: onExisting, continue_on_error: continueOnError, with_keys: withKeys };
  const running = run?.state === 'running';
  // A check describes one file with one set of options: any change asks for a new one.
  useEffect(() => setChecked(null), [file, mode, onExisting, continueOnError, withKeys]);
  useEffect(() => {
    if (run?.dry_run && run.state === 'done') setChecked(run);
    if (run && !run.dry_run && run.state !== 'running') resultRef.current?.focus();
  }, [run]);

  async function pick(list: FileList | null) {
    clear();
    setReadError(null);
    const f = list?.[0];
    if (!f) return setFile(null);
    if (f.size > 8 * 1024 * 1024) {
      setFile(null);
      return setReadError(`${f.name} is ${(f.size / 1024 / 1024).toFixed(1)} MiB: an import takes at most 8 MiB. Split the file.`);
    }
    setFile({ name: f.name, size: f.size, content: toBase64(new Uint8Array(await f.arrayBuffer())) });
  }

  const check = () => file && void start({ file_name: file.name, content: file.content, dry_run: true, ...options });
  const commit = () => file && void start({ file_name: file.name, content: file.content, dry_run: false, ...options });
  const report = checked?.report ?? null;
  const finished = run && !run.dry_run && run.state !== 'running' ? run : null;

  return (
    <section className="import-screen">
      <PageHead
        title="Import users"
        subtitle="Add or update accounts from a CSV or JSON-lines file: check it first, then import exactly what the check shows."
      />
      {note ? (
        <div className="banner info" role="note">
          <span>{note}</span>
        </div>
      ) : null}
      <CutOffRuns />

      <section className="card" aria-labelledby={`${id}-file-h`}>
        <h2 id={`${id}-file-h`}>File and options</h2>
        <p className="muted small">
          A header row names the columns, in any order: <code>username</code> (required), <code>email</code>, <code>is_staff</code>, <code>is_superuser</code>,{' '}
          <code>is_active</code>, <code>organization</code>, <code>role</code>. UTF-8, comma or semicolon, at most 10,000 rows. A file exported from Users
          imports as it is.
        </p>
        <div className="field">
          <label htmlFor={`${id}-f`}>File</label>
          <input id={`${id}-f`} type="file" accept=".csv,.txt,.jsonl,.json,text/csv" disabled={running} onChange={(e) => void pick(e.target.files)} />
          {file ? <div className="hint">{`${file.name}, ${file.size.toLocaleString('en')} bytes`}</div> : null}
          {readError ? (
            <div className="field-error" role="alert">
              {readError}
            </div>
          ) : null}
        </div>
        <div className="inline-fields">
          {remote ? null : (
            <div className="field">
              <label htmlFor={`${id}-m`}>New accounts</label>
              <select id={`${id}-m`} value={mode} disabled={running} onChange={(e) => setMode(e.target.value as ImportMode)}>
                <option value="create">Create them, each with a set-password link</option>
                <option value="invite">Send each person an invitation link</option>
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-x`}>Accounts that already exist</label>
            <select id={`${id}-x`} value={onExisting} disabled={running} onChange={(e) => setOnExisting(e.target.value as OnExisting)}>
              {(Object.keys(ON_EXISTING_LABEL) as OnExisting[]).map((k) => (
                <option key={k} value={k}>
                  {ON_EXISTING_LABEL[k]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Check
          label="Import the valid rows even if some are refused"
          checked={continueOnError}
          disabled={running}
          onChange={setContinueOnError}
          explain={
            remote
              ? 'Otherwise nothing is written while any row is refused.'
              : 'Otherwise the file is one transaction: nothing is written while any row is refused.'
          }
        />
        {remote ? null : (
          <Check
            label="Make an API key for each new account"
            checked={withKeys}
            disabled={running || mode === 'invite'}
            onChange={setWithKeys}
            explain="Each secret is shown once, after the import. Off by default: people make their own keys on their dashboard."
          />
        )}
        <div className="actions">
          <button type="button" disabled={!file || running} onClick={check}>
            {running && run?.dry_run ? <Spinner label="Checking the file" /> : null}
            Check file
          </button>
        </div>
        <ErrorBanner error={error ?? (run?.state === 'failed' ? run.error : null)} />
      </section>

      {running && run ? <RunProgress run={run} remote={remote} onStop={() => void stop()} /> : null}

      {report && !finished ? (
        <section className="card" aria-labelledby={`${id}-check-h`}>
          <h2 id={`${id}-check-h`}>Check: {checked?.file_name}</h2>
          <p>{checkSummary(report)} Nothing has been written.</p>
          <Check label="Show only refused rows" checked={onlyRefused} onChange={setOnlyRefused} />
          <ImportReportTable report={report} label="Rows as checked" onlyRefused={onlyRefused} />
          <div className="actions">
            <button type="button" disabled={running || !importable(report, continueOnError)} onClick={commit}>
              {running && !run?.dry_run ? <Spinner label="Importing" /> : null}
              {importLabel(report.counts.create + report.counts.invite + report.counts.update)}
            </button>
            {report.counts.error && !continueOnError ? (
              <span className="muted small">Fix the refused rows and check the file again, or import the valid rows even if some are refused.</span>
            ) : null}
          </div>
        </section>
      ) : null}

      {finished ? (
        <ImportResult
          ref={resultRef}
          run={finished}
          onAgain={() => {
            clear();
            setChecked(null);
          }}
        />
      ) : null}
    </section>
  );
}

const importLabel = (n: number) => `Import ${n} row${n === 1 ? '' : 's'}`;

function RunProgress({ run, remote, onStop }: { run: ImportRunView; remote: boolean; onStop(): void }) {
  const doing = run.dry_run || run.phase === 'checking' ? 'Checking' : 'Writing';
  return (
    <section className="card bulk-progress" aria-label="Import in progress">
      {run.total ? (
        <>
          <progress max={run.total} value={run.done} aria-label={`${doing} rows`} />
          <p aria-live="polite">
            {doing} row {run.done} of {run.total}
            {run.dry_run ? '' : `; ${run.written} written`}
          </p>
        </>
      ) : (
        <p aria-live="polite">
          <Spinner label={doing} /> {doing} the file on the server…
        </p>
      )}
      {remote ? (
        <button type="button" className="secondary" onClick={onStop}>
          Stop after this row
        </button>
      ) : (
        <p className="muted small">The server takes the file in one go; it cannot be stopped midway.</p>
      )}
    </section>
  );
}
