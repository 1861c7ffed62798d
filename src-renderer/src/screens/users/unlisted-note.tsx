import type { UnlistedUserField } from '../../../../src-shared/domain.ts';
import { Spinner } from '../../components/ui.tsx';
import { useConnection } from '../../lib/use-connection.ts';
import { usersStore, useUsers } from '../../stores/users-store.ts';

const LABELS: Record<UnlistedUserField, string> = {
  email: 'email',
  is_active: 'active',
  is_staff: 'staff',
  is_superuser: 'superuser',
  date_joined: 'date joined',
  last_login: 'last login',
};

const list = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? ''));

/**
 * What the server's list leaves out (a Graphistry whose admin does not list
 * every column), said once above the table, with the one click that reads
 * these rows whole and its progress. A request per row on a Graphistry, so
 * it is asked for, never done unasked; the values hold until the page changes.
 */
export function UnlistedNote() {
  const mine = useUsers((s) => s.connection) === useConnection();
  const unlisted = useUsers((s) => s.unlisted);
  const rows = useUsers((s) => s.results.length);
  const loaded = useUsers((s) => s.loaded);
  const whole = useUsers((s) => s.whole.size);
  const filling = useUsers((s) => s.filling);
  if (!mine || !loaded || !unlisted.length || rows === 0 || (whole >= rows && !filling)) return null;
  return (
    <div className="bulk unlisted-note" role="group" aria-label="Columns not listed">
      {filling ? (
        <>
          <Spinner label="Reading these rows" />
          <progress max={filling.total} value={filling.done} aria-label="Reading these rows" />
          <span className="bulk-count" aria-live="polite">
            Reading… {filling.done} of {filling.total}
          </span>
        </>
      ) : (
        <>
          <span className="small">
            This server’s user list does not show {list(unlisted.map((f) => LABELS[f]))}: those cells say <em>Not listed</em>.
          </span>
          <span className="bulk-buttons">
            <button type="button" className="secondary" onClick={() => void usersStore.getState().fillUnlisted()}>
              Load for these rows
            </button>
          </span>
        </>
      )}
    </div>
  );
}
