import { useEffect, useId, useState } from 'react';
import { useAudit } from '../../stores/audit-store.ts';
import { ACTION_LABELS, FILTER_DEBOUNCE_MS, KNOWN_ACTIONS } from './audit-logic.ts';
import { useDebouncedEffect } from './use-debounced.ts';

/**
 * Actor is typed (debounced); Action is a list, because the server matches
 * actions exactly and a typo would just show an empty log.
 */
export function AuditFilters() {
  const filters = useAudit((s) => s.filters);
  const setFilters = useAudit((s) => s.setFilters);
  const [actor, setActor] = useState(filters.actor);
  // The actor changed elsewhere (the address on opening, back and forward): the field shows it.
  useEffect(() => setActor((typed) => (typed.trim() === filters.actor ? typed : filters.actor)), [filters.actor]);
  const id = useId();
  // Skipped when the store already has it (Clear filters sets both at once).
  useDebouncedEffect(actor, FILTER_DEBOUNCE_MS, (v) => {
    if (v !== useAudit.getState().filters.actor) void setFilters({ actor: v });
  });
  const known: readonly string[] = KNOWN_ACTIONS;
  // The affected user's id as typed; the filter takes it once it is a whole number (or cleared).
  const [target, setTarget] = useState(filters.target === null ? '' : String(filters.target));
  useEffect(() => setTarget(filters.target === null ? '' : String(filters.target)), [filters.target]);
  const changeTarget = (text: string) => {
    setTarget(text);
    const n = Number(text);
    if (text === '') void setFilters({ target: null });
    else if (Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 && n !== filters.target) void setFilters({ target: n });
  };

  return (
    <div className="toolbar audit-filters" role="search" aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor={`${id}-actor`}>Actor</label>
        <input
          id={`${id}-actor`}
          type="search"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          placeholder="exact username"
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} value={filters.action} onChange={(e) => void setFilters({ action: e.target.value })}>
          <option value="">Any</option>
          {known.includes(filters.action) || !filters.action ? null : <option value={filters.action}>{filters.action}</option>}
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {ACTION_LABELS[a]} ({a})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-target`}>Affected user (id)</label>
        <input
          id={`${id}-target`}
          className="target-id"
          type="number"
          inputMode="numeric"
          min={1}
          value={target}
          onChange={(e) => changeTarget(e.target.value)}
          placeholder="any"
          title="Entries about this user: what was done to them (the user editor links here)"
        />
      </div>
      {filters.actor || filters.action || filters.target !== null ? (
        <button
          type="button"
          className="ghost small"
          onClick={() => {
            setActor('');
            setTarget('');
            void setFilters({ actor: '', action: '', target: null });
          }}
        >
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
