import type { User } from '../../../src-shared/domain.ts';
import { discoverSite, type SiteMap } from './admin-index.ts';
import type { AdminSession } from './admin-session.ts';
import { readChangeList, type ChangeListPage, type ListColumn } from './change-list.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { readChangeForm, type ChangeForm } from './user-form.ts';

/** What the console learns about a change list once per session (its columns, page size and paginator). */
export interface ListLayout {
  columns: ListColumn[];
  searchable: boolean;
  /** Django's list_per_page, once a page shows it (a first page with more results after it). */
  perPage: number | null;
  pageBase: 0 | 1;
}

/**
 * The state one signed-in session shares between operations: where the user
 * model and the settings live (found once from the admin index) and the
 * change list's layout.
 */
export function createRemoteContext(session: AdminSession) {
  let site: Promise<SiteMap> | null = null;
  let layout: ListLayout | null = null;
  let searchByQ: Promise<boolean> | null = null;
  const host = session.http.host;

  const ctx = {
    session,
    host,
    site(): Promise<SiteMap> {
      site ??= discoverSite(session).catch((e: unknown) => {
        site = null;
        throw e;
      });
      return site;
    },
    get layout() {
      return layout;
    },

    /**
     * Whether the admin's own search box (its search_fields) finds users by
     * username: asked once, by searching for the signed-in admin's own name.
     * Where it does not (cookiecutter-django searches only `name`), the
     * console searches with a username filter instead.
     */
    searchesUsernames(): Promise<boolean> {
      searchByQ ??= (async () => {
        if (!layout) await ctx.changeList(new URLSearchParams());
        if (!layout?.searchable) return false;
        const page = await ctx.changeList(new URLSearchParams({ q: session.username, username__exact: session.username }));
        return (page?.rows.length ?? 0) > 0;
      })().catch((e: unknown) => {
        searchByQ = null;
        throw e;
      });
      return searchByQ;
    },

    /** One page of the user change list with these parameters; null when Django sent us to `?e=1` (a page past the end). */
    async changeList(params: URLSearchParams): Promise<ChangeListPage | null> {
      const base = (await ctx.site()).users;
      const url = new URL(`?${params.toString()}`, base);
      const page = await session.page(url, base);
      if (page.status !== 200) throw failureForPage(page, host, 'list users');
      if (page.url.searchParams.has('e')) {
        if (params.has('p')) return null;
        throw remoteErrors.refusedLookup(host, `list users with ${[...params.keys()].join(', ')}`);
      }
      const read = readChangeList(page, host);
      ctx.learn(read, params);
      return read;
    },

    learn(page: ChangeListPage, params: URLSearchParams) {
      if (page.columns.length) {
        layout = {
          columns: page.columns,
          searchable: page.searchable,
          perPage: layout?.perPage ?? null,
          pageBase: page.pageBase ?? layout?.pageBase ?? 1,
        };
      }
      // The first page of a longer result holds exactly list_per_page rows.
      if (layout && !params.has('p') && !params.has('all') && page.count > page.rows.length && page.rows.length > 0) layout.perPage = page.rows.length;
    },

    async changeForm(id: number): Promise<ChangeForm> {
      const base = (await ctx.site()).users;
      const url = new URL(`${id}/change/`, base);
      const page = await session.page(url, base);
      // Django 3.2+ answers an unknown pk with a redirect to the admin index and a message; older ones with 404.
      if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw remoteErrors.userNotFound(id);
      if (page.status !== 200) throw failureForPage(page, host, `open user ${id}`);
      return readChangeForm(page, id, host);
    },

    async getUser(id: number): Promise<User> {
      return (await ctx.changeForm(id)).user;
    },
  };
  return ctx;
}

export type RemoteContext = ReturnType<typeof createRemoteContext>;
