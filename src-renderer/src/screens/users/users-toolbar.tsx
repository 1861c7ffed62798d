import { useEffect, useId, useRef } from 'react';
import { Spinner } from '../../components/ui.tsx';
import { usersStore, useUsers } from '../../stores/users-store.ts';
import { filterChoice, filterValue, signInValue, type UserFilter } from '../../stores/users-query.ts';
import { useNotOffered } from '../../components/not-offered.tsx';
import { DormancyFilters } from './dormancy-filters.tsx';

function FilterSelect({ name, label }: { name: UserFilter; label: string }) {
  const id = useId();
  const value = useUsers((s) => s.query[name]);
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={filterChoice(value)} onChange={(e) => usersStore.getState().setFilter(name, filterValue(e.target.value))}>
        <option value="any">Any</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
      </select>
    </div>
  );
}

/** Password only, SSO only, or both (as the Sign-in column says them); disabled, with the reason, where the server cannot tell. */
function SignInSelect() {
  const id = useId();
  const value = useUsers((s) => s.query.sign_in);
  const absent = useNotOffered('sign_in_method');
  return (
    <div className="filter">
      <label htmlFor={id}>Sign-in</label>
      <select
        id={id}
        value={value ?? 'any'}
        disabled={absent !== null}
        title={absent ?? undefined}
        onChange={(e) => usersStore.getState().setSignIn(signInValue(e.target.value))}
      >
        <option value="any">Any</option>
        <option value="password">Password</option>
        <option value="sso">SSO</option>
        <option value="both">Both</option>
      </select>
    </div>
  );
}

/** Search and filters. The search box has focus on open, and "/" brings it back from anywhere but a text field. */
export function UsersToolbar() {
  const searchText = useUsers((s) => s.searchText);
  const loading = useUsers((s) => s.loading);
  const searchRef = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    searchRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || t?.closest('input, select, textarea, [contenteditable]')) return;
      e.preventDefault();
      searchRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="toolbar users-toolbar" role="search">
      <label htmlFor={id} className="sr-only">
        Search users
      </label>
      <input
        id={id}
        ref={searchRef}
        type="search"
        value={searchText}
        placeholder="Search username or email  ( / )"
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => usersStore.getState().setSearch(e.target.value)}
      />
      <FilterSelect name="is_staff" label="Staff" />
      <FilterSelect name="is_superuser" label="Superuser" />
      <FilterSelect name="is_active" label="Active" />
      <SignInSelect />
      <DormancyFilters />
      <button type="button" className="secondary small refresh" onClick={() => void usersStore.getState().load()} disabled={loading}>
        Refresh
      </button>
      {/* Always in the layout (empty when idle) so the toolbar never reflows. */}
      <span className="busy-slot">{loading ? <Spinner label="Loading users" /> : null}</span>
    </div>
  );
}
