import type { PersonalKey } from '../../../../src-shared/domain.ts';
import { exact, shortDate, shortWhen } from './format.ts';
import { keyStatus, sortKeys, type KeyStatus } from './key-logic.ts';
import { StatusBadge, type Tone } from './status-badge.tsx';

const TONE: Record<KeyStatus, Tone> = { active: 'ok', revoked: 'muted', expired: 'warn' };

/** Every key of one user, active ones first; Revoke only where there is something left to stop. */
export function KeysTable({ keys, onRevoke }: { keys: readonly PersonalKey[]; onRevoke(key: PersonalKey): void }) {
  const now = new Date();
  return (
    <div className="table-wrap">
      <table className="keys-table" aria-label="API keys">
        <colgroup>
          <col />
          <col className="w-key" />
          <col className="w-date" />
          <col className="w-date" />
          <col className="w-day" />
          <col className="w-status" />
          <col className="w-action" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sortKeys(keys, now).map((k) => {
            const status = keyStatus(k, now);
            return (
              <tr key={k.id} className={status === 'active' ? undefined : 'row-inactive'}>
                <td title={k.name}>{k.name}</td>
                <td title={`Key id ${k.id}; the secret starts with ${k.prefix}`}>
                  <code>
                    {k.id}:{k.prefix}…
                  </code>
                </td>
                <td title={exact(k.created_at)}>{shortWhen(k.created_at)}</td>
                <td title={exact(k.last_used_at)}>{shortWhen(k.last_used_at, 'never')}</td>
                <td title={exact(k.expires_at)}>{shortDate(k.expires_at, 'never')}</td>
                <td>
                  <StatusBadge tone={TONE[status]}>{status}</StatusBadge>
                </td>
                <td className="cell-action">
                  {status === 'active' ? (
                    <button type="button" className="danger small" onClick={() => onRevoke(k)}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
