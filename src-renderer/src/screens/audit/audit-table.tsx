import type { AuditEntry } from '../../../../src-shared/domain.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { compactDetail, isFailure, targetText } from './audit-logic.ts';

/** One page of the log. Failures get a marked row as well as a red badge, so they stand out when scanning. */
export function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  return (
    <table className="audit-table" aria-label="Audit log entries, newest first">
      <colgroup>
        <col className="w-date" />
        <col className="w-who" />
        <col className="w-action-name" />
        <col className="w-target" />
        <col className="w-status" />
        <col className="w-addr" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
          <th scope="col">Address</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const failed = isFailure(e.outcome);
          const detail = compactDetail(e.detail);
          const target = targetText(e);
          return (
            <tr key={e.id} className={failed ? 'row-failure' : undefined}>
              <td title={exact(e.at)}>{shortWhen(e.at)}</td>
              <td title={e.actor}>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td title={target}>{target || <span className="muted">—</span>}</td>
              <td>
                <StatusBadge tone={failed ? 'err' : 'ok'}>{e.outcome}</StatusBadge>
              </td>
              <td>{e.client_ip ?? <span className="muted">—</span>}</td>
              <td className="cell-detail" title={detail ? JSON.stringify(e.detail, null, 2) : undefined}>
                {detail ? <code>{detail}</code> : <span className="muted">—</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
