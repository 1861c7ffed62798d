import { create } from 'zustand';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import type { AuditEntry, Page } from '../../../src-shared/domain.ts';
import { call } from '../lib/api.ts';
import { onConnectionChange } from './app-store.ts';

export interface AuditFilters {
  /** Exact username (the server matches whole names). Empty: anyone. */
  actor: string;
  /** One action, e.g. `user.roles`. Empty: any. */
  action: string;
  /** The user entries are about (what was done to them), by id. Null: anyone. */
  target: number | null;
}

/** What the audit screen shows: its filters and page (its address says the same: see auditToParams). */
export interface AuditQuery extends AuditFilters {
  page: number;
}

const ACTION_SHAPE = /^[\w.:-]{1,64}$/;

/** The query as the part of the address after `#/audit?`: only what is set, so the plain log is a plain `#/audit`. */
export function auditToParams(q: AuditQuery): string {
  const p = new URLSearchParams();
  if (q.actor.trim()) p.set('actor', q.actor.trim());
  if (q.action) p.set('action', q.action);
  if (q.target !== null) p.set('user', String(q.target));
  if (q.page !== 1) p.set('page', String(q.page));
  return p.toString();
}

/** The query an address asks for; anything unreadable (a hand-edited address) falls back to the default for that part. */
export function paramsToAudit(params: string): AuditQuery {
  const p = new URLSearchParams(params);
  const action = p.get('action') ?? '';
  const page = Number(p.get('page'));
  const user = Number(p.get('user'));
  return {
    target: Number.isInteger(user) && user >= 1 && user <= 2_147_483_647 ? user : null,
    actor: (p.get('actor') ?? '').trim().slice(0, 150),
    action: ACTION_SHAPE.test(action) ? action : '',
    page: Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
  };
}

export interface AuditState {
  /** The connection whose log this is; another one starts from an empty log, page 1, no filters. */
  connection: string | null;
  filters: AuditFilters;
  page: number;
  pageSize: number;
  data: Page<AuditEntry> | null;
  loading: boolean;
  error: ConsoleError | null;
  bind(connection: string | null): void;
  /** Fetch the current page with the current filters. */
  load(): Promise<void>;
  /** Change filters and start again from page 1. */
  setFilters(patch: Partial<AuditFilters>): Promise<void>;
  goTo(page: number): Promise<void>;
  /** Show what an address asks for (filters and page at once). */
  applyQuery(query: AuditQuery): Promise<void>;
}

export const AUDIT_PAGE_SIZE = 50;

export function pageCount(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/**
 * A fresh store per call, so tests get one each; the app uses `useAudit`.
 *
 * Stale-response guard: every load takes a number, and only the answer to
 * the newest one is kept. Filters change faster than a big log answers, and
 * an older, slower answer must never replace the page the admin asked for last.
 */
export function createAuditStore() {
  let latest = 0;
  const empty = () => ({ filters: { actor: '', action: '', target: null }, page: 1, pageSize: AUDIT_PAGE_SIZE, data: null, loading: false, error: null });
  return create<AuditState>((set, get) => ({
    connection: null,
    ...empty(),

    bind(connection) {
      if (connection === get().connection) return;
      latest += 1;
      set({ ...empty(), connection });
    },

    async load() {
      const { connection, filters, page, pageSize } = get();
      if (!connection) return;
      const mine = ++latest;
      set({ loading: true });
      const actor = filters.actor.trim();
      const r = await call('listAudit', {
        connection,
        page,
        page_size: pageSize,
        ...(actor ? { actor } : {}),
        ...(filters.action ? { action: filters.action } : {}),
        ...(filters.target !== null ? { target_user_id: filters.target } : {}),
      });
      if (mine !== latest) return;
      if (!r.ok) {
        set({ loading: false, error: r.error });
        return;
      }
      const last = pageCount(r.value.count, pageSize);
      // The log moved under us (or a filter shrank it): go to the last page that exists rather than show an empty one.
      if (page > last && r.value.results.length === 0 && r.value.count > 0) {
        set({ page: last });
        return get().load();
      }
      set({ loading: false, error: null, data: r.value });
    },

    async setFilters(patch) {
      const filters = { ...get().filters, ...patch };
      set({ filters, page: 1 });
      await get().load();
    },

    async applyQuery({ actor, action, target, page }) {
      set({ filters: { actor, action, target }, page });
      await get().load();
    },

    async goTo(page) {
      const last = get().data ? pageCount(get().data?.count ?? 0, get().pageSize) : page;
      set({ page: Math.min(Math.max(1, Math.trunc(page)), last) });
      await get().load();
    },
  }));
}

export const useAudit = createAuditStore();
onConnectionChange((connection) => useAudit.getState().bind(connection));
