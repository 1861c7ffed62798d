import { createStore, useStore } from 'zustand';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import type { User, UserOrderingField } from '../../../src-shared/domain.ts';
import { call, describeError } from '../lib/api.ts';
import { useToasts } from './toast-store.ts';
import { clampPage, createLatestGuard, DEFAULT_QUERY, nextOrdering, toListParams, type UserFilter, type UsersQuery } from './users-query.ts';

export const SEARCH_DEBOUNCE_MS = 150;

export interface UsersState {
  /** What was last asked of the server (the search box's text reaches it after the debounce). */
  query: UsersQuery;
  /** The search box's text right now. */
  searchText: string;
  /** One page of users: never more than `query.page_size` rows are held. */
  results: User[];
  count: number;
  /** The server estimated `count` (a large match): shown as "about". */
  estimated: boolean;
  loading: boolean;
  /** Whether any answer has arrived yet (before that the table shows placeholders). */
  loaded: boolean;
  error: ConsoleError | null;
  selected: ReadonlySet<number>;
  bulkBusy: boolean;
  setSearch(text: string): void;
  setFilter(name: UserFilter, value: boolean | undefined): void;
  clearFilters(): void;
  toggleSort(column: UserOrderingField): void;
  setPage(page: number): void;
  setPageSize(size: number): void;
  load(): Promise<void>;
  /** Show exactly this query (from the address: a reload, back or forward). */
  applyQuery(query: UsersQuery): void;
  toggleSelected(id: number, on: boolean): void;
  selectPage(on: boolean): void;
  /** Activate or deactivate the selected users; a deactivation offers Undo for the users it changed. */
  bulkSetActive(active: boolean, ids?: readonly number[]): Promise<void>;
}

/** A store per call, so tests start clean; the app uses the one `usersStore` below. */
export function createUsersStore(opts: { debounceMs?: number } = {}) {
  const debounceMs = opts.debounceMs ?? SEARCH_DEBOUNCE_MS;
  const guard = createLatestGuard();
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  return createStore<UsersState>()((set, get) => {
    /** Every change of query shows other rows, so a selection made on the old rows is dropped with them. */
    function change(patch: Partial<UsersQuery>) {
      set({ query: { ...get().query, ...patch }, selected: new Set() });
      void get().load();
    }

    return {
      query: { ...DEFAULT_QUERY },
      searchText: '',
      results: [],
      count: 0,
      estimated: false,
      loading: false,
      loaded: false,
      error: null,
      selected: new Set(),
      bulkBusy: false,

      setSearch(text) {
        set({ searchText: text });
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => {
          if (text.trim() !== get().query.search.trim()) change({ search: text, page: 1 });
        }, debounceMs);
      },
      setFilter(name, value) {
        if (get().query[name] !== value) change({ [name]: value, page: 1 });
      },
      clearFilters() {
        clearTimeout(searchTimer);
        set({ searchText: '' });
        change({ search: '', is_staff: undefined, is_superuser: undefined, is_active: undefined, page: 1 });
      },
      toggleSort(column) {
        change({ ordering: nextOrdering(get().query.ordering, column), page: 1 });
      },
      setPage(page) {
        const { query, count } = get();
        const next = clampPage(page, count, query.page_size);
        if (next !== query.page) change({ page: next });
      },
      setPageSize(size) {
        if (size !== get().query.page_size) change({ page_size: size, page: 1 });
      },

      applyQuery(query) {
        clearTimeout(searchTimer);
        set({ searchText: query.search });
        change({ ...query });
      },

      async load() {
        const ticket = guard.begin();
        set({ loading: true });
        const r = await call('listUsers', toListParams(get().query));
        if (!guard.isLatest(ticket)) return;
        if (!r.ok) {
          set({ loading: false, error: r.error });
          return;
        }
        const { results, count } = r.value;
        const estimated = r.value.count_is_estimate === true;
        const { query } = get();
        // The page asked for no longer exists (its rows were deactivated under an
        // "Active: Yes" filter, or deleted): go to the last page that does. An
        // estimated count names no sure last page, so the empty page stays.
        const last = clampPage(query.page, count, query.page_size);
        if (results.length === 0 && count > 0 && query.page > 1 && !estimated && last !== query.page) {
          set({ query: { ...query, page: last } });
          return get().load();
        }
        const onPage = new Set(results.map((u) => u.id));
        set({ results, count, estimated, loading: false, loaded: true, error: null, selected: new Set([...get().selected].filter((id) => onPage.has(id))) });
      },

      toggleSelected(id, on) {
        const selected = new Set(get().selected);
        if (on) selected.add(id);
        else selected.delete(id);
        set({ selected });
      },
      selectPage(on) {
        set({ selected: on ? new Set(get().results.map((u) => u.id)) : new Set() });
      },

      async bulkSetActive(active, only) {
        const ids = only ? [...only] : [...get().selected];
        if (ids.length === 0 || get().bulkBusy) return;
        const toast = useToasts.getState().show;
        const names = new Map(get().results.map((u) => [u.id, u.username]));
        const verb = active ? 'activate' : 'deactivate';
        set({ bulkBusy: true });
        const r = await call('setUsersActive', { ids, active });
        set({ bulkBusy: false });
        if (!r.ok) {
          toast('error', `Could not ${verb} users: ${describeError(r.error)}`);
          return;
        }
        const { updated, failed } = r.value;
        if (updated.length > 0) {
          const text = `${active ? 'Activated' : 'Deactivated'} ${updated.length === 1 ? updated[0]!.username : `${updated.length} users`}`;
          // Deactivating ended their sessions and stopped their keys: Undo lets them back in (new sign-ins; the keys work again).
          const back = updated.map((u) => u.id);
          toast('ok', text, active ? undefined : { action: { label: 'Undo', run: () => void get().bulkSetActive(true, back) } });
        }
        if (failed.length > 0) {
          const why = failed.map((f) => `${names.get(f.id) ?? `user #${f.id}`}: ${f.message}`).join(' ');
          toast('error', `Could not ${verb} ${failed.length === 1 ? 'one user' : `${failed.length} users`}. ${why}`);
        }
        // The ones that failed stay selected, so a retry after fixing the cause is one click.
        if (!only) set({ selected: new Set(failed.map((f) => f.id)) });
        await get().load();
      },
    };
  });
}

export type UsersStore = ReturnType<typeof createUsersStore>;

export const usersStore = createUsersStore();

export function useUsers<T>(selector: (s: UsersState) => T): T {
  return useStore(usersStore, selector);
}
