import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleApi, ConsoleParams, ConsoleResults } from '../../../src-shared/console-api.ts';
import type { Result } from '../../../src-shared/console-errors.ts';
import type { User } from '../../../src-shared/domain.ts';
import { setApi } from '../lib/api.ts';
import { useToasts } from './toast-store.ts';
import { createUsersStore, type UsersStore } from './users-store.ts';

/** A stand-in for the bridge that pages, sorts and filters an array the way the server does. */
function fakeBridge(users: User[]) {
  const calls: Array<ConsoleParams<'listUsers'>> = [];
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
    return { ok: true, value: { count: rows.length, page, page_size: size, results: rows.slice((page - 1) * size, page * size) } };
  };
  const setUsersActive = async ({ ids, active }: ConsoleParams<'setUsersActive'>): Promise<Result<ConsoleResults['setUsersActive']>> => {
    const updated: User[] = [];
    const failed: ConsoleResults['setUsersActive']['failed'] = [];
    for (const id of ids) {
      const u = users.find((x) => x.id === id)!;
      if (!active && u.is_superuser) failed.push({ id, code: 'LAST_SUPERUSER', message: 'This is the last active superuser: make another superuser first.' });
      else updated.push(Object.assign(u, { is_active: active }));
    }
    return { ok: true, value: { updated, failed } };
  };
  const api: Partial<ConsoleApi> = { listUsers, setUsersActive };
  return { api: api as ConsoleApi, calls };
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

let store: UsersStore;
let bridge: ReturnType<typeof fakeBridge>;

beforeEach(() => {
  vi.useFakeTimers();
  bridge = fakeBridge(people(120));
  setApi(bridge.api);
  store = createUsersStore();
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
    expect(bridge.calls).toEqual([{ ordering: 'username', page: 1, page_size: 50 }]);
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
    expect(bridge.calls).toEqual([{ search: 'user001', ordering: 'username', page: 1, page_size: 50 }]);
    expect(store.getState().results.map((u) => u.username)).toEqual(['user0010', 'user0011', 'user0012', 'user0013', 'user0014', 'user0015', 'user0016', 'user0017', 'user0018', 'user0019']);
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
    expect(bridge.calls.at(-1)).toEqual({ is_staff: true, ordering: 'date_joined', page: 1, page_size: 50 });
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

  it('bulk deactivation reports each refusal by name, reloads, and keeps the refused selected', async () => {
    await store.getState().load();
    store.getState().toggleSelected(1, true);
    store.getState().toggleSelected(2, true);
    await store.getState().bulkSetActive(false);
    const texts = useToasts.getState().toasts.map((t) => `${t.kind}: ${t.text}`);
    expect(texts).toEqual(['ok: Deactivated user0002', 'error: Could not deactivate one user. admin: This is the last active superuser: make another superuser first.']);
    expect(useToasts.getState().toasts[0]!.action?.label).toBe('Undo');
    expect(store.getState().results.find((u) => u.id === 2)!.is_active).toBe(false);
    expect([...store.getState().selected]).toEqual([1]);
  });

  it("Undo after a bulk deactivation activates exactly the users it deactivated", async () => {
    await store.getState().load();
    store.getState().toggleSelected(1, true);
    store.getState().toggleSelected(2, true);
    store.getState().toggleSelected(3, true);
    await store.getState().bulkSetActive(false);
    await settle();
    const undo = useToasts.getState().toasts.find((t) => t.action)!;
    undo.action!.run();
    await settle();
    const byId = new Map(store.getState().results.map((u) => [u.id, u.is_active]));
    expect([byId.get(1), byId.get(2), byId.get(3)]).toEqual([true, true, true]);
    expect(useToasts.getState().toasts.at(-1)!.text).toBe('Activated 2 users');
  });

  it('goes to the last page that still exists when the current one empties', async () => {
    store.getState().setFilter('is_active', true);
    await settle();
    store.getState().setPage(3);
    await settle();
    expect(store.getState().query.page).toBe(3);
    store.getState().selectPage(true);
    await store.getState().bulkSetActive(false);
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
});
