import type { ImportReport } from '../../../../src-shared/user-import-schemas.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { OUTCOME_LABEL, shownRows } from './import-logic.ts';

const TONE = { create: 'ok', invite: 'ok', update: 'ok', skip: 'muted', error: 'err' } as const;
const SHOWN = 1000;

/** Each row's outcome: its line in the file, the username, what happens (or happened) to it, and why. */
export function ImportReportTable({ report, label, onlyRefused }: { report: ImportReport; label: string; onlyRefused: boolean }) {
  const { rows, hidden } = shownRows(report, onlyRefused, SHOWN);
  const wrote = !report.dry_run;
  return (
    <>
      <div className="table-wrap">
        <table aria-label={label} className="import-table">
          <thead>
            <tr>
              <th scope="col" className="col-line">
                Line
              </th>
              <th scope="col" className="col-user">
                Username
              </th>
              <th scope="col" className="col-outcome">
                Outcome
              </th>
              {wrote ? (
                <th scope="col" className="col-written">
                  Written
                </th>
              ) : null}
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.line}-${r.username}`} className={r.outcome === 'error' ? 'refused' : undefined}>
                <td className="num">{r.line}</td>
                <td className="ident">{r.username || <span className="muted">—</span>}</td>
                <td>
                  <StatusBadge tone={TONE[r.outcome]}>{OUTCOME_LABEL[r.outcome]}</StatusBadge>
                </td>
                {wrote ? <td>{r.written ? 'Yes' : 'No'}</td> : null}
                <td className="why">
                  {r.column ? <code className="column">{r.column}</code> : null} {r.message ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hidden ? (
        <p className="muted small">
          {hidden} more row{hidden === 1 ? '' : 's'} not shown{onlyRefused ? '' : ': show only refused rows to see every problem'}.
        </p>
      ) : null}
    </>
  );
}
