import { useEffect, useId, useState } from 'react';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { filterChoice, filterValue, idleDaysValue, joinedBeforeValue } from '../../stores/users-query.ts';
import { useNotOffered } from '../../components/not-offered.tsx';

/**
 * Who has gone quiet: never signed in, no sign-in for N days (never-signed-in
 * users included, as the server counts them), joined before a day. Disabled,
 * with the server's reason, where it cannot filter by dates (a Graphistry).
 */
export function DormancyFilters() {
  const neverId = useId();
  const idleId = useId();
  const joinedId = useId();
  const never = useUsers((s) => s.query.never_signed_in);
  const idle = useUsers((s) => s.query.inactive_days);
  const joined = useUsers((s) => s.query.joined_before);
  const absent = useNotOffered('dormancy_filters');
  // What is typed, kept apart from the query until it is a whole number (typing "9" of "90" already filters).
  const [idleText, setIdleText] = useState(idle === undefined ? '' : String(idle));
  useEffect(() => setIdleText(idle === undefined ? '' : String(idle)), [idle]);
  const disabled = absent !== null;
  const title = absent ?? undefined;
  return (
    <>
      <div className="filter">
        <label htmlFor={neverId}>Never signed in</label>
        <select
          id={neverId}
          value={filterChoice(never)}
          disabled={disabled}
          title={title}
          onChange={(e) => usersStore.getState().setFilter('never_signed_in', filterValue(e.target.value))}
        >
          <option value="any">Any</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      </div>
      <div className="filter">
        <label htmlFor={idleId}>No sign-in for (days)</label>
        <input
          id={idleId}
          className="idle-days"
          type="number"
          inputMode="numeric"
          min={1}
          max={36500}
          placeholder="e.g. 90"
          value={idleText}
          disabled={disabled}
          title={title ?? 'Users whose last sign-in is older than this many days, and those who never signed in'}
          onChange={(e) => {
            setIdleText(e.target.value);
            const n = idleDaysValue(e.target.value);
            if (n !== undefined || e.target.value === '') usersStore.getState().setDormancy({ inactive_days: n });
          }}
        />
      </div>
      <div className="filter">
        <label htmlFor={joinedId}>Joined before</label>
        <input
          id={joinedId}
          type="date"
          value={joined ?? ''}
          disabled={disabled}
          title={title}
          onChange={(e) => usersStore.getState().setDormancy({ joined_before: joinedBeforeValue(e.target.value) })}
        />
      </div>
    </>
  );
}
