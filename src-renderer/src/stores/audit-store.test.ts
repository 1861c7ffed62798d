import { beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_METHODS, type ConsoleApi, type ConsoleParams } from '../../../src-shared/console-api.ts';
import type { Result } from '../../../src-shared/console-errors.ts';
import type { AuditEntry, Page } from '../../../src-shared/domain.ts';
import { setApi } from '../lib/api.ts';
import { auditToParams, createAuditStore, pageCount, paramsToAudit } from './audit-store.ts';

type AuditParams = ConsoleParams<'listAudit'>;
const CONNECTION = 'p1.0123456789abcdef';
type AuditResult = Result<Page<AuditEntry>>;

/** A bridge double: listAudit served from an array, newest first like the server; every other method is unsupported. */
function bridgeOver(log: AuditEntry[], listAudit?: (p: AuditParams) => Promise<AuditResult>): { api: ConsoleApi; calls: AuditParams[] } {
  const calls: AuditParams[] = [];
  const unsupported = async () => ({ ok: false as const, error: { code: 'UNSUPPORTED' as const, message: 'not in this double' } });
  const api = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, unsupported])) as unknown as ConsoleApi;
  api.listAudit = async (p) => {
    calls.push(p);
    return listAudit ? listAudit(p) : serve(log, p);
  };
  return { api, calls };
}

function serve(log: AuditEntry[], p: AuditParams): AuditResult {
  const page = p.page ?? 1;
  const size = p.page_size ?? 50;
  const hits = log.filter((e) => (!p.actor || e.actor === p.actor) && (!p.action || e.action === p.action)).sort((a, b) => b.id - a.id);
  return { ok: true, value: { count: hits.length, page, page_size: size, results: hits.slice((page - 1) * size, page * size) } };
}

function entry(id: number, actor: string, action: string, outcome = 'success'): AuditEntry {
  return {
    id,
    at: new Date(Date.UTC(2025, 0, 1, 0, id)).toISOString(),
    actor_id: null,
    actor,
    action,
    target_type: null,
    target_id: null,
    target: null,
    client_ip: '127.0.0.1',
    outcome,
    detail: null,
  };
}

/** 120 entries: admin's logins and key creations, and bob's failed logins. */
const LOG: AuditEntry[] = Array.from({ length: 120 }, (_, i) =>
  i % 3 === 2 ? entry(i + 1, 'bob', 'auth.login', 'failure') : entry(i + 1, 'admin', i % 3 ? 'key.create' : 'auth.login'),
);

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('audit store', () => {
  let store: ReturnType<typeof createAuditStore>;
  beforeEach(() => {
    store = createAuditStore();
    store.getState().bind(CONNECTION);
  });

  it('loads the first page, newest first, and counts the pages', async () => {
    setApi(bridgeOver(LOG).api);
    await store.getState().load();
    const { data, error, loading } = store.getState();
    expect(error).toBeNull();
    expect(loading).toBe(false);
    expect(data?.count).toBe(120);
    expect(data?.results[0]?.id).toBe(120);
    expect(data?.results).toHaveLength(50);
    expect(pageCount(data?.count ?? 0, store.getState().pageSize)).toBe(3);
  });

  it('pages on the server and keeps within the pages that exist', async () => {
    const { api, calls } = bridgeOver(LOG);
    setApi(api);
    await store.getState().load();
    await store.getState().goTo(3);
    expect(store.getState().data?.results.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    await store.getState().goTo(9);
    expect(store.getState().page).toBe(3);
    await store.getState().goTo(0);
    expect(store.getState().page).toBe(1);
    expect(calls.map((c) => c.page)).toEqual([1, 3, 3, 1]);
  });

  it('sends only the filters that are set, and a filter change starts again at page 1', async () => {
    const { api, calls } = bridgeOver(LOG);
    setApi(api);
    await store.getState().load();
    await store.getState().goTo(2);
    await store.getState().setFilters({ actor: ' bob ' });
    expect(calls.at(-1)).toEqual({ connection: CONNECTION, page: 1, page_size: 50, actor: 'bob' });
    expect(store.getState().data?.count).toBe(40);
    expect(store.getState().data?.results.every((e) => e.actor === 'bob' && e.outcome === 'failure')).toBe(true);
    await store.getState().setFilters({ actor: '', action: 'key.create' });
    expect(calls.at(-1)).toEqual({ connection: CONNECTION, page: 1, page_size: 50, action: 'key.create' });
    expect(store.getState().data?.count).toBe(40);
  });

  it('ignores an older answer that arrives after a newer one (stale-response guard)', async () => {
    const slow = deferred<AuditResult>();
    const { api } = bridgeOver(LOG, (p) => (p.actor === 'admin' ? slow.promise : Promise.resolve(serve(LOG, p))));
    setApi(api);
    const first = store.getState().setFilters({ actor: 'admin' });
    await store.getState().setFilters({ actor: 'bob' });
    slow.resolve(serve(LOG, { connection: CONNECTION, page: 1, page_size: 50, actor: 'admin' }));
    await first;
    const { data, filters, loading } = store.getState();
    expect(filters.actor).toBe('bob');
    expect(data?.results.every((e) => e.actor === 'bob')).toBe(true);
    expect(loading).toBe(false);
  });

  it('keeps the last good page on screen and reports a failure', async () => {
    let fail = false;
    const { api } = bridgeOver(LOG, async (p) =>
      fail ? { ok: false, error: { code: 'UNREACHABLE', message: 'The server does not answer.' } } : serve(LOG, p),
    );
    setApi(api);
    await store.getState().load();
    fail = true;
    await store.getState().goTo(2);
    expect(store.getState().error?.code).toBe('UNREACHABLE');
    expect(store.getState().data?.results[0]?.id).toBe(120);
    expect(store.getState().loading).toBe(false);
  });

  it('moves back to the last page when the one it was on no longer exists', async () => {
    const { api } = bridgeOver(LOG);
    setApi(api);
    store.setState({ page: 3 });
    await store
      .getState()
      .setFilters({ action: 'auth.login' })
      .then(() => store.getState().goTo(2));
    expect(store.getState().page).toBe(2);
    // Jump past the end behind the store's back (as if entries vanished): it settles on the last real page.
    store.setState({ page: 5 });
    await store.getState().load();
    expect(store.getState().page).toBe(2);
    expect(store.getState().data?.results.length).toBe(30);
  });

  it('shows what an address asks for: filters and page at once', async () => {
    const { api, calls } = bridgeOver(LOG);
    setApi(api);
    await store.getState().applyQuery(paramsToAudit('actor=admin&action=auth.login&page=2'));
    expect(calls[0]).toEqual({ connection: CONNECTION, page: 2, page_size: 50, actor: 'admin', action: 'auth.login' });
    expect(store.getState().filters).toEqual({ actor: 'admin', action: 'auth.login', target: null });
    // admin's 40 sign-ins fit on page 1: the store goes to the last page that exists
    expect(calls.at(-1)?.page).toBe(1);
    expect(store.getState().page).toBe(1);
    await store.getState().applyQuery(paramsToAudit('actor=admin&page=2'));
    expect(calls.at(-1)).toEqual({ connection: CONNECTION, page: 2, page_size: 50, actor: 'admin' });
    expect(store.getState().data?.results).toHaveLength(30);
    expect(store.getState().data?.results.every((e) => e.actor === 'admin')).toBe(true);
  });
});

describe('the audit log address', () => {
  it('says only what is set, so the plain log is a plain #/audit', () => {
    expect(auditToParams({ actor: '', action: '', target: null, page: 1 })).toBe('');
    expect(auditToParams({ actor: ' ali ', action: 'user.roles', target: null, page: 3 })).toBe('actor=ali&action=user.roles&page=3');
    expect(auditToParams({ actor: 'a&b=c', action: '', target: null, page: 1 })).toBe('actor=a%26b%3Dc');
  });

  it('reads back what it writes', () => {
    for (const q of [
      { actor: 'ali', action: 'user.roles', target: null, page: 3 },
      { actor: 'a&b=c é', action: '', target: null, page: 1 },
      { actor: '', action: 'auth.login', target: null, page: 1_000_000 },
      { actor: '', action: '', target: 42, page: 1 },
    ]) {
      expect(paramsToAudit(auditToParams(q))).toEqual(q);
    }
  });

  it('falls back to the default for any part it cannot read', () => {
    expect(paramsToAudit('page=0&action=<script>&actor=' + 'x'.repeat(400))).toEqual({ actor: 'x'.repeat(150), action: '', target: null, page: 1 });
    expect(paramsToAudit('page=2.5')).toEqual({ actor: '', action: '', target: null, page: 1 });
    expect(paramsToAudit('page=1000001')).toEqual({ actor: '', action: '', target: null, page: 1 });
    expect(paramsToAudit('garbage')).toEqual({ actor: '', action: '', target: null, page: 1 });
  });
});

describe('audit store, one connection at a time', () => {
  it("another connection starts from an empty log with no filters, and the old one's late answer is dropped", async () => {
    const store = createAuditStore();
    store.getState().bind(CONNECTION);
    const slow = deferred<AuditResult>();
    const { api, calls } = bridgeOver(LOG, () => slow.promise);
    setApi(api);
    const first = store.getState().setFilters({ actor: 'admin' });
    store.getState().bind('p2.fedcba9876543210');
    expect(store.getState()).toMatchObject({ connection: 'p2.fedcba9876543210', filters: { actor: '', action: '', target: null }, page: 1, data: null });
    slow.resolve(serve(LOG, { connection: CONNECTION, page: 1, page_size: 50, actor: 'admin' }));
    await first;
    expect(store.getState().data).toBeNull();
    expect(calls[0]?.connection).toBe(CONNECTION);
  });
});
