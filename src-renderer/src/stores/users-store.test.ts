import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleApi, ConsoleParams, ConsoleResults } from '../../../src-shared/console-api.ts';
import type { Result } from '../../../src-shared/console-errors.ts';
import type { User } from '../../../src-shared/domain.ts';
import { setApi } from '../lib/api.ts';
import { useApp } from './app-store.ts';
import { useToasts } from './toast-store.ts';
import { createUsersStore, type UsersStore } from './users-store.ts';

/** A stand-in for the bridge that pages, sorts and filters an array the way the server does. */
function fakeBridge(users: User[], opts: { unlisted?: Array<'date_joined' | 'last_login' | 'is_active'> } = {}) {
  const calls: Array<ConsoleParams<'listUsers'>> = [];
  const reads: Array<ConsoleParams<'getUsers'>> = [];
  const listUsers = async (q: ConsoleParams<'listUsers'>): Promise<Result<ConsoleResults['listUsers']>> => {
    calls.push(q);
    const field = (q.ordering ?? 'id').replace(/^-/, '') as keyof User;
    const dir = q.ordering?.startsWith('-') ? -1 : 1;
    const s = q.search?.toLowerCase();
    const rows = users
      .filter((u) => !s || u.username.toLowerCase().includes(s) || (u.email ?? '').includes(s))
      .filter((u) => (['is_staff', 'is_superuser', 'is_active'] as const).every((f) => q[f] === undefined || u[f] === q[f]))
      .sort((a, b) => dir * (String(a[field]) < String(b[field]) ? -1 : String(a[field]) > String(b[field]) ? 1 : a.id - b.id));
    const page = q.page ?? 1;
    const size = q.page_size ?? 50;
    const unlisted = opts.unlisted ?? [];
    // As a Graphistry whose admin lists fewer columns: those fields null in every row, and named.
    const results = rows.slice((page - 1) * size, page * size).map((u) => ({ ...u, ...Object.fromEntries(unlisted.map((f) => [f, null])) }));
    return { ok: true, value: { count: rows.length, page, page_size: size, results, ...(unlisted.length ? { unlisted } : {}) } };
  };
  const getUsers = async (p: ConsoleParams<'getUsers'>): Promise<Result<ConsoleResults['getUsers']>> => {
    reads.push(p);
    const found = p.ids.map((id) => users.find((u) => u.id === id));
    return {
      ok: true,
      value: {
        users: found.filter((u): u is User => !!u).map((u) => ({ ...u })),
        failed: p.ids.filter((_, i) => !found[i]).map((id) => ({ id, code: 'USER_NOT_FOUND', message: `No user with id ${id}.` })),
      },
    };
  };
  const writes: Array<ConsoleParams<'setUsersActive'>> = [];
  const setUsersActive = async (p: ConsoleParams<'setUsersActive'>): Promise<Result<ConsoleResults['setUsersActive']>> => {
    writes.push(p);
    const out: ConsoleResults['setUsersActive'] = { changed: [], unchanged: [], failed: [] };
    for (const id of p.ids) {
      const u = users.find((x) => x.id === id)!;
      if (!p.active && u.is_superuser)
        out.failed.push({ id, code: 'LAST_SUPERUSER', message: 'This is the last active superuser: make another superuser first.' });
      else if (u.is_active === p.active) out.unchanged.push({ ...u });
      else out.changed.push({ ...Object.assign(u, { is_active: p.active }) });
    }
    return { ok: true, value: out };
  };
  const listUserIds = async (p: ConsoleParams<'listUserIds'>): Promise<Result<ConsoleResults['listUserIds']>> => {
    const all = await listUsers({ connection: p.connection, ...p.filter, page: 1, page_size: 100_000 });
    if (!all.ok) return all;
    return { ok: true, value: { count: all.value.count, ids: all.value.results.slice(0, p.limit).map((u) => u.id) } };
  };
  const api: Partial<ConsoleApi> = { listUsers, setUsersActive, listUserIds, getUsers };
  return { api: api as ConsoleApi, calls, writes, reads, users };
}

const user = (id: number, username: string, extra: Partial<User> = {}): User => ({
  id,
  username,
  email: `${username}@example.org`,
  is_active: true,
  is_staff: false,
  is_superuser: false,
  date_joined: new Date(Date.UTC(2024, 0, id)).toISOString(),
  last_login: null,
  ...extra,
});

function people(n: number): User[] {
  const out = [user(1, 'admin', { is_staff: true, is_superuser: true })];
  for (let i = 2; i <= n; i++) out.push(user(i, `user${String(i).padStart(4, '0')}`, { is_staff: i % 3 === 0, is_active: i % 7 !== 0 }));
  return out;
}

/** Let the fake bridge's promises settle. */
const settle = () => vi.advanceTimersByTimeAsync(0);

const CONNECTION = 'p1.0123456789abcdef';
let store: UsersStore;
let bridge: ReturnType<typeof fakeBridge>;

beforeEach(() => {
  vi.useFakeTimers();
  bridge = fakeBridge(people(120));
  setApi(bridge.api);
  store = createUsersStore();
  store.getState().bind(CONNECTION);
  // The console is on that connection (a toast's Undo is offered only there).
  useApp.setState({ status: { connected: true, connection: CONNECTION } as ConsoleResults['connectionStatus'], switching: null });
  useToasts.setState({ toasts: [] });
});
afterEach(() => vi.useRealTimers());

describe('users store', () => {
  it('loads one page only, with the total count', async () => {
    await store.getState().load();
    const s = store.getState();
    expect(s.results).toHaveLength(50);
    expect(s.count).toBe(120);
    expect(s.results[0]!.username).toBe('admin');
    expect(bridge.calls).toEqual([{ connection: CONNECTION, ordering: 'username', page: 1, page_size: 50 }]);
  });

  it('debounces the search: one request SEARCH_DEBOUNCE_MS after the last keystroke, back on page 1', async () => {
    await store.getState().load();
    store.getState().setPage(2);
    await settle();
    bridge.calls.length = 0;
    for (const text of ['u', 'us', 'user00', 'user001']) {
      store.getState().setSearch(text);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(bridge.calls).toHaveLength(0);
    expect(store.getState().searchText).toBe('user001');
    await vi.advanceTimersByTimeAsync(150);
    expect(bridge.calls).toEqual([{ connection: CONNECTION, search: 'user001', ordering: 'username', page: 1, page_size: 50 }]);
    expect(store.getState().results.map((u) => u.username)).toEqual([
      'user0010',
      'user0011',
      'user0012',
      'user0013',
      'user0014',
      'user0015',
      'user0016',
      'user0017',
      'user0018',
      'user0019',
    ]);
  });

  it('filters and sorts on the server, asc -> desc -> asc', async () => {
    store.getState().setFilter('is_staff', true);
    await settle();
    expect(store.getState().results.every((u) => u.is_staff)).toBe(true);
    store.getState().toggleSort('date_joined');
    await settle();
    store.getState().toggleSort('date_joined');
    await settle();
    expect(store.getState().query.ordering).toBe('-date_joined');
    expect(store.getState().results[0]!.id).toBe(120);
    store.getState().toggleSort('date_joined');
    await settle();
    expect(bridge.calls.at(-1)).toEqual({ connection: CONNECTION, is_staff: true, ordering: 'date_joined', page: 1, page_size: 50 });
    store.getState().clearFilters();
    await settle();
    expect(store.getState().count).toBe(120);
  });

  it('applies only the latest answer when an older one arrives last', async () => {
    // The first request is held back until after the second has answered.
    let release: () => void = () => undefined;
    const real = bridge.api.listUsers;
    bridge.api.listUsers = async (q) => {
      if (q.search === 'slow') await new Promise<void>((r) => (release = r));
      return real(q);
    };
    store.getState().setSearch('slow');
    await vi.advanceTimersByTimeAsync(250);
    store.getState().setSearch('admin');
    await vi.advanceTimersByTimeAsync(250);
    expect(store.getState().results.map((u) => u.username)).toEqual(['admin']);
    release();
    await settle();
    expect(store.getState().results.map((u) => u.username)).toEqual(['admin']);
    expect(store.getState().loading).toBe(false);
  });

  it('clears the selection when the page changes, and pages within range', async () => {
    await store.getState().load();
    store.getState().selectPage(true);
    expect(store.getState().selected.size).toBe(50);
    store.getState().setPage(99);
    await settle();
    expect(store.getState().query.page).toBe(3);
    expect(store.getState().selected.size).toBe(0);
    expect(store.getState().results).toHaveLength(20);
  });

  /** Tick these rows and act on exactly them. */
  async function bulk(active: boolean, ids: number[]) {
    for (const id of ids) store.getState().toggleSelected(id, true);
    const target = await store.getState().bulkTarget();
    if (!target.ok) throw new Error(target.error.message);
    await store.getState().bulkSetActive(active, target.value, { batch: 2 });
    await settle();
  }

  it('bulk deactivation reports each refusal by name, reloads, and keeps the refused selected', async () => {
    await store.getState().load();
    await bulk(false, [1, 2]);
    const texts = useToasts.getState().toasts.map((t) => `${t.kind}: ${t.text}`);
    expect(texts).toEqual([
      'ok: Deactivated user0002',
      'error: Could not deactivate one user. admin: This is the last active superuser: make another superuser first.',
    ]);
    expect(useToasts.getState().toasts[0]!.action?.label).toBe('Undo');
    expect(store.getState().results.find((u) => u.id === 2)!.is_active).toBe(false);
    expect([...store.getState().selected]).toEqual([1]);
  });

  it('counts only the users it changed, and Undo puts back exactly those (one already inactive stays inactive)', async () => {
    await store.getState().load();
    const byId = () => new Map(store.getState().results.map((u) => [u.id, u.is_active]));
    // user0007 was inactive before (every 7th is): the action leaves it so, and so must Undo.
    expect(byId().get(7)).toBe(false);
    await bulk(false, [2, 3, 7]);
    const done = useToasts.getState().toasts.find((t) => t.action)!;
    expect(done.text).toBe('Deactivated 2 users · user0007 was already inactive');
    expect(done.connection).toBe(CONNECTION);
    done.action!.run();
    await settle();
    expect([byId().get(2), byId().get(3), byId().get(7)]).toEqual([true, true, false]);
    expect(bridge.writes.at(-1)).toEqual({ connection: CONNECTION, ids: [2, 3], active: true });
    expect(useToasts.getState().toasts.at(-1)!.text).toBe('Activated 2 users again');
  });

  it('acts on every matching user, not just the page, in batches with progress, and undoes exactly what it changed', async () => {
    store.getState().setFilter('is_staff', false);
    await settle();
    expect(store.getState().results).toHaveLength(50);
    store.getState().selectPage(true);
    store.getState().selectAllMatching(true);
    const target = await store.getState().bulkTarget();
    if (!target.ok) throw new Error(target.error.message);
    // Every non-staff user: the superuser admin is staff, so none is refused.
    const matching = people(120).filter((u) => !u.is_staff);
    expect(target.value.ids).toHaveLength(matching.length);
    const seen: number[] = [];
    const run = store.getState().bulkSetActive(false, target.value, { batch: 10 });
    const unsubscribe = store.subscribe((s) => s.bulk && seen.push(s.bulk.done));
    await run;
    unsubscribe();
    expect(seen.at(-1)).toBe(matching.length);
    expect(seen.length).toBeGreaterThan(5);
    const changed = matching.filter((u) => u.is_active).length;
    expect(useToasts.getState().toasts.find((t) => t.action)!.text).toBe(
      `Deactivated ${changed} users · ${matching.length - changed} users were already inactive`,
    );
    useToasts
      .getState()
      .toasts.find((t) => t.action)!
      .action!.run();
    await vi.advanceTimersByTimeAsync(10);
    const again = await bridge.api.listUsers({ connection: CONNECTION, is_staff: false, page: 1, page_size: 500 });
    if (!again.ok) throw new Error('list');
    const activeIds = (users: ReadonlyArray<{ id: number; is_active: boolean | null }>) =>
      users
        .filter((u) => u.is_active)
        .map((u) => u.id)
        .sort((x, y) => x - y);
    expect(activeIds(again.value.results)).toEqual(activeIds(matching));
  });

  it('Stop ends a run after the batch in flight; Undo covers what was done', async () => {
    await store.getState().load();
    const ids = store
      .getState()
      .results.filter((u) => u.is_active && !u.is_superuser)
      .map((u) => u.id)
      .slice(0, 20);
    const run = store.getState().bulkSetActive(false, { connection: CONNECTION, ids }, { batch: 5 });
    store.getState().stopBulk();
    await run;
    const toast = useToasts.getState().toasts.find((t) => t.action)!;
    expect(toast.text).toBe('Deactivated 5 users · stopped after 5 of 20');
  });

  it('a switch of connection drops the rows, query, search and selection at once, and an answer for the old one is ignored', async () => {
    await store.getState().load();
    store.getState().setSearch('user00');
    await vi.advanceTimersByTimeAsync(200);
    store.getState().toggleSelected(2, true);
    let release: () => void = () => undefined;
    const real = bridge.api.listUsers;
    bridge.api.listUsers = async (q) => {
      await new Promise<void>((r) => (release = r));
      return real(q);
    };
    const pending = store.getState().load();
    store.getState().bind('p2.fedcba9876543210');
    const s = store.getState();
    expect([s.results.length, s.count, s.loaded, s.selected.size, s.searchText, s.query.search, s.allMatching]).toEqual([0, 0, false, 0, '', '', false]);
    release();
    await pending;
    expect(store.getState().results).toHaveLength(0);
    bridge.api.listUsers = real;
    await store.getState().load();
    expect(bridge.calls.at(-1)?.connection).toBe('p2.fedcba9876543210');
  });

  it('a row ticked while a typed search is on its way stays ticked when the new list still shows it (and only then)', async () => {
    await store.getState().load();
    store.getState().setSearch('user0002');
    // Ticked within the debounce, on the rows still showing.
    store.getState().toggleSelected(2, true);
    store.getState().toggleSelected(3, true);
    await vi.advanceTimersByTimeAsync(200);
    expect(store.getState().results.map((u) => u.username)).toEqual(['user0002']);
    expect([...store.getState().selected]).toEqual([2]);
  });

  it('goes to the last page that still exists when the current one empties', async () => {
    store.getState().setFilter('is_active', true);
    await settle();
    store.getState().setPage(3);
    await settle();
    expect(store.getState().query.page).toBe(3);
    store.getState().selectPage(true);
    await store.getState().bulkSetActive(false, { connection: CONNECTION, ids: [...store.getState().selected] });
    await settle();
    expect(store.getState().query.page).toBe(2);
    expect(store.getState().results.length).toBeGreaterThan(0);
  });

  it('keeps the error for the banner and clears it on the next good answer', async () => {
    const real = bridge.api.listUsers;
    bridge.api.listUsers = async () => ({ ok: false, error: { code: 'UNREACHABLE', message: 'The server did not answer.' } });
    await store.getState().load();
    expect(store.getState().error?.code).toBe('UNREACHABLE');
    expect(store.getState().loading).toBe(false);
    bridge.api.listUsers = real;
    await store.getState().load();
    expect(store.getState().error).toBeNull();
    expect(store.getState().loaded).toBe(true);
  });

  describe('a server whose list does not show every column (a Graphistry with Django’s stock UserAdmin)', () => {
    beforeEach(() => {
      bridge = fakeBridge(people(120), { unlisted: ['date_joined', 'last_login'] });
      setApi(bridge.api);
    });

    it('holds the page’s unlisted fields as not read, and reads the rows whole on demand, a batch per call with progress', async () => {
      await store.getState().load();
      expect(store.getState().unlisted).toEqual(['date_joined', 'last_login']);
      expect(store.getState().results.every((u) => u.date_joined === null && u.last_login === null)).toBe(true);
      const progress: Array<[number, number]> = [];
      const unsubscribe = store.subscribe((s) => s.filling && progress.push([s.filling.done, s.filling.total]));
      await store.getState().fillUnlisted({ batch: 10 });
      unsubscribe();
      expect(bridge.reads.map((r) => r.ids.length)).toEqual([10, 10, 10, 10, 10]);
      expect(progress.map(([done]) => done)).toEqual([0, 10, 20, 30, 40, 50]);
      expect(store.getState().filling).toBeNull();
      expect(store.getState().whole.size).toBe(50);
      for (const u of store.getState().results) expect(u).toEqual(bridge.users.find((x) => x.id === u.id));
    });

    it('drops a read still under way when the page changes, and names rows gone from the server', async () => {
      await store.getState().load();
      const fill = store.getState().fillUnlisted({ batch: 10 });
      store.getState().setPage(2);
      await fill;
      await settle();
      expect(store.getState().query.page).toBe(2);
      expect(store.getState().whole.size).toBe(0);
      expect(store.getState().results.every((u) => u.date_joined === null)).toBe(true);
      const gone = store.getState().results[3]!;
      bridge.users.splice(bridge.users.indexOf(bridge.users.find((u) => u.id === gone.id)!), 1);
      await store.getState().fillUnlisted();
      expect(store.getState().whole.has(gone.id)).toBe(false);
      expect(store.getState().whole.size).toBe(49);
      expect(useToasts.getState().toasts.at(-1)!.text).toBe(`${gone.username} is no longer on the server: refresh the list.`);
    });
  });
});
