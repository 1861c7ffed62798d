import { createStore, useStore } from 'zustand';
import type { ConsoleError, Result } from '../../../src-shared/console-errors.ts';
import type { UnlistedUserField, UserOrderingField, UserRow } from '../../../src-shared/domain.ts';
import { BULK_MAX_USERS } from '../../../src-shared/domain.ts';
import { call, describeError } from '../lib/api.ts';
import { onConnectionChange } from './app-store.ts';
import { useToasts } from './toast-store.ts';
import { outcomeSentence, runInBatches, type BulkProgress } from './bulk-run.ts';
import { clampPage, createLatestGuard, DEFAULT_QUERY, nextOrdering, toFilterParams, toListParams, type UserFilter, type UsersQuery } from './users-query.ts';
import type { SignInMethod } from '../../../src-shared/user-schemas.ts';

export const SEARCH_DEBOUNCE_MS = 150;

/** Exactly whom a bulk action acts on, on which connection: fixed when the admin confirms, never recomputed after. */
export interface BulkTarget {
  connection: string;
  ids: readonly number[];
}

export interface UsersState {
  /** The connection this list (query, rows, selection) belongs to; null: none, nothing is loaded. */
  connection: string | null;
  /** What was last asked of the server (the search box's text reaches it after the debounce). */
  query: UsersQuery;
  /** The search box's text right now. */
  searchText: string;
  /** One page of users: never more than `query.page_size` rows are held. */
  results: UserRow[];
  /** Fields the server's list does not show (a Graphistry's admin): null in every row not yet in `whole`, shown as "Not listed". */
  unlisted: readonly UnlistedUserField[];
  /** Rows of this page read whole (fillUnlisted): their unlisted fields are the server's values. */
  whole: ReadonlySet<number>;
  /** fillUnlisted under way: rows read so far, of `total`. */
  filling: { done: number; total: number } | null;
  count: number;
  /** The server estimated `count` (a large match): shown as "about". */
  estimated: boolean;
  loading: boolean;
  /** Whether any answer has arrived yet (before that the table shows placeholders). */
  loaded: boolean;
  error: ConsoleError | null;
  selected: ReadonlySet<number>;
  /** Every user the query matches is selected, not only the rows on this page. */
  allMatching: boolean;
  /** A bulk run under way. */
  bulk: BulkProgress | null;
  /**
   * Show this connection's users from now on. A different connection drops
   * everything of the last one at once: rows, count, query, search text,
   * selection (a row id means another user on another server).
   */
  bind(connection: string | null): void;
  setSearch(text: string): void;
  setFilter(name: UserFilter, value: boolean | undefined): void;
  setSignIn(method: SignInMethod | undefined): void;
  /** Dormancy: no sign-in for N days, joined before a day (undefined: no filter). */
  setDormancy(patch: { inactive_days?: number | undefined; joined_before?: string | undefined }): void;
  clearFilters(): void;
  toggleSort(column: UserOrderingField): void;
  setPage(page: number): void;
  setPageSize(size: number): void;
  load(): Promise<void>;
  /** Show exactly this query (from the address: a reload, back or forward). */
  applyQuery(query: UsersQuery): void;
  toggleSelected(id: number, on: boolean): void;
  selectPage(on: boolean): void;
  selectAllMatching(on: boolean): void;
  /** The users a bulk action on the selection acts on: the ticked rows, or every matching user (asked of the server now). */
  bulkTarget(): Promise<Result<BulkTarget>>;
  /**
   * Activate or deactivate exactly `target`, in batches with progress. The
   * toast counts only the users it changed, and its Undo puts back exactly
   * those, each to the state it was in.
   */
  bulkSetActive(active: boolean, target: BulkTarget, opts?: { batch?: number; undo?: boolean; connectionName?: string }): Promise<void>;
  /** Stop a bulk run after the batch in flight. */
  stopBulk(): void;
  /**
   * Read the page's rows whole (a request per user on a Graphistry), a few
   * per call so progress shows; the values replace "Not listed" until the
   * page changes. Rows gone meanwhile are said in a toast.
   */
  fillUnlisted(opts?: { batch?: number }): Promise<void>;
}

/** Rows per getUsers call: a Graphistry reads these in parallel (six at a time), and progress moves every call. */
export const FILL_BATCH = 10;

const EMPTY = {
  connection: null,
  query: { ...DEFAULT_QUERY },
  searchText: '',
  results: [] as UserRow[],
  unlisted: [] as readonly UnlistedUserField[],
  whole: new Set<number>() as ReadonlySet<number>,
  filling: null,
  count: 0,
  estimated: false,
  loading: false,
  loaded: false,
  error: null,
  selected: new Set<number>() as ReadonlySet<number>,
  allMatching: false,
  bulk: null,
} satisfies Partial<UsersState>;

/** Where focus goes once a bulk action's toast is gone: back to the table (the first row's checkbox), else its heading. */
export function focusUsersTable(): void {
  const target =
    document.querySelector<HTMLElement>('.users-table tbody input[type=checkbox]') ??
    document.querySelector<HTMLElement>('.users-table thead input[type=checkbox]');
  target?.focus();
}

/** A store per call, so tests start clean; the app uses the one `usersStore` below. */
export function createUsersStore(opts: { debounceMs?: number } = {}) {
  const debounceMs = opts.debounceMs ?? SEARCH_DEBOUNCE_MS;
  const guard = createLatestGuard();
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let stopRequested = false;
  // Each page shown gets a new number: a fill still running for an earlier page drops its answers.
  let shown = 0;

  return createStore<UsersState>()((set, get) => {
    /**
     * Every change of query shows other rows: the selection keeps only the
     * ticked rows the new page still shows (load() drops the rest), so a row
     * ticked while a typed search was still on its way stays ticked. "Every
     * matching user" meant the old query's users: it ends here.
     */
    function change(patch: Partial<UsersQuery>) {
      set({ query: { ...get().query, ...patch }, allMatching: false });
      void get().load();
    }

    return {
      ...EMPTY,

      bind(connection) {
        if (connection === get().connection) return;
        clearTimeout(searchTimer);
        // An answer still on its way belongs to the old connection: the guard drops it.
        guard.begin();
        stopRequested = true;
        shown++;
        set({ ...EMPTY, query: { ...DEFAULT_QUERY }, selected: new Set(), whole: new Set(), connection });
      },

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
      setSignIn(method) {
        if (get().query.sign_in !== method) change({ sign_in: method, page: 1 });
      },
      setDormancy(patch) {
        const q = get().query;
        const next = { inactive_days: q.inactive_days, joined_before: q.joined_before, ...patch };
        if (next.inactive_days !== q.inactive_days || next.joined_before !== q.joined_before) change({ ...next, page: 1 });
      },
      clearFilters() {
        clearTimeout(searchTimer);
        set({ searchText: '' });
        // Every filter back to its default, from the one declaration of them; the ordering and page size stay.
        const { ordering: _ordering, page_size: _pageSize, ...noFilters } = DEFAULT_QUERY;
        change(noFilters);
      },
      toggleSort(column) {
        change({ ordering: nextOrdering(get().query.ordering, column), page: 1 });
      },
      setPage(page) {
        const { query, count, estimated } = get();
        // An estimated count names no sure last page: any page forward is allowed, the answer says if it exists.
        const next = estimated ? Math.max(1, Math.floor(page)) : clampPage(page, count, query.page_size);
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
        const connection = get().connection;
        if (!connection) return;
        const ticket = guard.begin();
        set({ loading: true });
        const r = await call('listUsers', { connection, ...toListParams(get().query) });
        if (!guard.isLatest(ticket) || get().connection !== connection) return;
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
        shown++;
        set({
          results,
          unlisted: r.value.unlisted ?? [],
          whole: new Set(),
          filling: null,
          count,
          estimated,
          loading: false,
          loaded: true,
          error: null,
          selected: new Set([...get().selected].filter((id) => onPage.has(id))),
        });
      },

      toggleSelected(id, on) {
        const selected = new Set(get().selected);
        if (on) selected.add(id);
        else selected.delete(id);
        set({ selected, allMatching: false });
      },
      selectPage(on) {
        set({ selected: on ? new Set(get().results.map((u) => u.id)) : new Set(), allMatching: false });
      },
      selectAllMatching(on) {
        set(on ? { selected: new Set(get().results.map((u) => u.id)), allMatching: true } : { selected: new Set(), allMatching: false });
      },

      async bulkTarget() {
        const { connection, allMatching, selected, query } = get();
        if (!connection) return { ok: false, error: { code: 'NOT_CONNECTED', message: 'Not connected: choose a connection and sign in.' } };
        if (!allMatching) return { ok: true, value: { connection, ids: [...selected] } };
        const r = await call('listUserIds', { connection, filter: toFilterParams(query), limit: BULK_MAX_USERS });
        if (!r.ok) return r;
        if (r.value.count > r.value.ids.length) {
          const message = `${r.value.count.toLocaleString('en-US')} users match: one action covers at most ${BULK_MAX_USERS.toLocaleString('en-US')}. Narrow the search or filters first.`;
          return { ok: false, error: { code: 'VALIDATION', message } };
        }
        return { ok: true, value: { connection, ids: r.value.ids } };
      },

      stopBulk() {
        stopRequested = true;
      },

      async fillUnlisted(o = {}) {
        const { connection, results, whole, filling } = get();
        if (!connection || filling) return;
        const page = shown;
        const ids = results.filter((u) => !whole.has(u.id)).map((u) => u.id);
        if (!ids.length) return;
        const size = o.batch ?? FILL_BATCH;
        const here = () => page === shown && get().connection === connection;
        const gone: number[] = [];
        set({ filling: { done: 0, total: ids.length } });
        for (let at = 0; at < ids.length; at += size) {
          const r = await call('getUsers', { connection, ids: ids.slice(at, at + size) });
          if (!here()) return;
          if (!r.ok) {
            set({ filling: null });
            useToasts.getState().show('error', `Could not read the rest of these rows: ${describeError(r.error)}`, { connection });
            return;
          }
          const read = new Map(r.value.users.map((u) => [u.id, u]));
          gone.push(...r.value.failed.map((f) => f.id));
          set({
            results: get().results.map((u) => read.get(u.id) ?? u),
            whole: new Set([...get().whole, ...read.keys()]),
            filling: { done: Math.min(at + size, ids.length), total: ids.length },
          });
        }
        set({ filling: null });
        if (gone.length) {
          const names = new Map(results.map((u) => [u.id, u.username]));
          useToasts
            .getState()
            .show(
              'info',
              `${gone.map((id) => names.get(id) ?? `User #${id}`).join(', ')} ${gone.length === 1 ? 'is' : 'are'} no longer on the server: refresh the list.`,
              { connection },
            );
        }
      },

      async bulkSetActive(active, target, o = {}) {
        if (target.ids.length === 0 || get().bulk) return;
        const toast = useToasts.getState().show;
        const names = new Map(get().results.map((u) => [u.id, u.username]));
        const undo = o.undo ?? false;
        stopRequested = false;
        set({ bulk: { active, done: 0, total: target.ids.length, undo } });
        const outcome = await runInBatches({
          ids: target.ids,
          batch: o.batch ?? 100,
          send: (ids) => call('setUsersActive', { connection: target.connection, ids, active }),
          progress: (done, total) => get().connection === target.connection && set({ bulk: { active, done, total, undo } }),
          stopped: () => stopRequested,
        });
        for (const u of [...outcome.changed, ...outcome.unchanged]) names.set(u.id, u.username);
        const here = get().connection === target.connection;
        if (here) set({ bulk: null });
        const text = outcomeSentence(outcome, active, undo, o.connectionName ? ` on ${o.connectionName}` : '');
        const back = outcome.changed.map((u) => u.id);
        // Undo puts back exactly the users this run changed, each to the state it was in (the opposite of `active`), on the same connection.
        const action =
          here && back.length > 0 && !undo
            ? { label: 'Undo', run: () => void get().bulkSetActive(!active, { connection: target.connection, ids: back }, { ...o, undo: true }) }
            : undefined;
        toast(outcome.changed.length > 0 ? 'ok' : 'info', text, {
          connection: target.connection,
          ...(action ? { action, focus: true, returnFocus: focusUsersTable } : {}),
        });
        if (outcome.error)
          toast('error', `${active ? 'Activating' : 'Deactivating'} stopped: ${describeError(outcome.error)}`, { connection: target.connection });
        if (outcome.failed.length > 0) {
          const why = outcome.failed.map((f) => `${names.get(f.id) ?? `user #${f.id}`}: ${f.message}`).join(' ');
          toast(
            'error',
            `Could not ${active ? 'activate' : 'deactivate'} ${outcome.failed.length === 1 ? 'one user' : `${outcome.failed.length} users`}. ${why}`,
            { connection: target.connection },
          );
        }
        if (!here) return;
        // The ones that failed stay selected, so a retry after fixing the cause is one click.
        if (!undo) set({ selected: new Set(outcome.failed.map((f) => f.id)), allMatching: false });
        await get().load();
      },
    };
  });
}

export type UsersStore = ReturnType<typeof createUsersStore>;

export const usersStore = createUsersStore();
onConnectionChange((connection) => usersStore.getState().bind(connection));

export function useUsers<T>(selector: (s: UsersState) => T): T {
  return useStore(usersStore, selector);
}
