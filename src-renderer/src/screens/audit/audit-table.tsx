import { Fragment, useState } from 'react';
import type { AuditEntry } from '../../../../src-shared/domain.ts';
import { exact, shortWhen } from '../keys/format.ts';
import { StatusBadge } from '../keys/status-badge.tsx';
import { isFailure, targetText } from './audit-logic.ts';
import { auditSentence } from './audit-sentence.ts';

/** Every fact of an entry, for the expanded row: nothing is left out of the sentence's way. */
function facts(e: AuditEntry): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['When', exact(e.at) ?? e.at],
    ['Actor', e.actor_id === null ? e.actor : `${e.actor} (user #${e.actor_id})`],
    ['Action', e.action],
    ['Outcome', e.outcome],
  ];
  const target = targetText(e);
  if (target) rows.push(['Target', e.target_id && e.target ? `${target} (#${e.target_id})` : target]);
  rows.push(['Address', e.client_ip ?? '—']);
  for (const [k, v] of Object.entries(e.detail ?? {})) rows.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return rows;
}

/**
 * One page of the log, each entry a sentence; its details open under it
 * (a real button, so the keyboard reaches it). Failures get a marked row as
 * well as a red badge, so they stand out when scanning.
 */
export function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <table className="audit-table" aria-label="Audit log entries, newest first">
      <colgroup>
        <col className="w-date" />
        <col />
        <col className="w-status" />
        <col className="w-more" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What happened</th>
          <th scope="col">Outcome</th>
          <th scope="col">
            <span className="sr-only">Details</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const failed = isFailure(e.outcome);
          const expanded = open.has(e.id);
          const sentence = auditSentence(e);
          return (
            <Fragment key={e.id}>
              <tr className={`${failed ? 'row-failure' : ''} ${expanded ? 'row-open' : ''}`}>
                <td title={exact(e.at)}>{shortWhen(e.at)}</td>
                <td className="cell-sentence">{sentence}</td>
                <td>
                  <StatusBadge tone={failed ? 'err' : 'ok'}>{e.outcome}</StatusBadge>
                </td>
                <td className="cell-action">
                  <button type="button" className="ghost small" aria-expanded={expanded} aria-controls={`audit-${e.id}`} onClick={() => toggle(e.id)}>
                    <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> Details
                    <span className="sr-only"> of “{sentence}”</span>
                  </button>
                </td>
              </tr>
              {expanded ? (
                <tr className="detail-row" id={`audit-${e.id}`}>
                  <td colSpan={4}>
                    <dl className="facts">
                      {facts(e).map(([k, v]) => (
                        <Fragment key={k}>
                          <dt>{k}</dt>
                          <dd>{v}</dd>
                        </Fragment>
                      ))}
                    </dl>
                  </td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
