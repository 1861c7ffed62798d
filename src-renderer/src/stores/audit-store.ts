import { create } from 'zustand';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import type { AuditEntry, Page } from '../../../src-shared/domain.ts';
import { call } from '../lib/api.ts';

export interface AuditFilters {
  /** Exact username (the server matches whole names). Empty: anyone. */
  actor: string;
  /** One action, e.g. `user.roles`. Empty: any. */
  action: string;
}

export interface AuditState {
  filters: AuditFilters;
  page: number;
  pageSize: number;
  data: Page<AuditEntry> | null;
  loading: boolean;
  error: ConsoleError | null;
  /** Fetch the current page with the current filters. */
  load(): Promise<void>;
  /** Change filters and start again from page 1. */
  setFilters(patch: Partial<AuditFilters>): Promise<void>;
  goTo(page: number): Promise<void>;
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
  return create<AuditState>((set, get) => ({
    filters: { actor: '', action: '' },
    page: 1,
    pageSize: AUDIT_PAGE_SIZE,
    data: null,
    loading: false,
    error: null,

    async load() {
      const mine = ++latest;
      const { filters, page, pageSize } = get();
      set({ loading: true });
      const actor = filters.actor.trim();
      const r = await call('listAudit', { page, page_size: pageSize, ...(actor ? { actor } : {}), ...(filters.action ? { action: filters.action } : {}) });
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

    async goTo(page) {
      const last = get().data ? pageCount(get().data?.count ?? 0, get().pageSize) : page;
      set({ page: Math.min(Math.max(1, Math.trunc(page)), last) });
      await get().load();
    },
  }));
}

export const useAudit = createAuditStore();
