import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import type { User } from '../../../src-shared/domain.ts';
import { discoverSite, type SiteMap } from './admin-index.ts';
import type { AdminSession } from './admin-session.ts';
import { readChangeList, type ChangeListPage, type ListLayout } from './change-list.ts';
import { fetchAdminFormats } from './admin-formats.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { readChangeForm, USER_FLAGS, type ChangeForm } from './user-form.ts';
import { createUserIds, pkPath } from './user-ids.ts';
import type { UserModel } from './user-model.ts';
import { createServerClock, ZoneMismatch, type ShownDate } from './server-time.ts';
import { listedDate } from './list-dates.ts';

/**
 * The state one signed-in session shares between operations: where the user
 * model and the settings live (found once from the admin index), the change
 * list's layout, the user model's preflight, and the connection's user ids.
 *
 * The rest of the backend speaks the console's words: a user's `id` and
 * `username`. Here they become the model's: `id__in` the primary keys
 * (`pk__in`, see user-ids.ts), `username__…` lookups its USERNAME_FIELD's,
 * and a list's USERNAME_FIELD column is also its `username` column.
 */
export function createRemoteContext(session: AdminSession) {
  let layout: ListLayout | null = null;
  const host = session.http.host;
  const ids = createUserIds(host);
  const clock = createServerClock();

  /** Django's admin splits an `__in` value at commas: a key with one cannot be listed. */
  const inList = (pk: string) => {
    if (pk.includes(',')) throw remoteErrors.unexpected(host, `a user whose key "${pk.slice(0, 40)}" holds a comma, which its filters cannot name`);
    return pk;
  };

  async function adminParams(params: URLSearchParams): Promise<URLSearchParams> {
    const { usernameField } = await ctx.site();
    const out = new URLSearchParams();
    for (const [k, v] of params) {
      if (k === 'id__in') out.append('pk__in', (await Promise.all(v.split(',').map((id) => ctx.pkOf(Number(id))))).map(inList).join(','));
      else if (usernameField !== 'username' && /^username(__|$)/.test(k)) out.append(usernameField + k.slice('username'.length), v);
      else out.append(k, v);
    }
    return out;
  }

  /** The USERNAME_FIELD's column and cells are the console's `username` too. */
  function alias(page: ChangeListPage, usernameField: string): ChangeListPage {
    if (usernameField === 'username') return page;
    const column = page.columns.find((c) => c.field === usernameField);
    const columns =
      column && !page.columns.some((c) => c.field === 'username') ? [...page.columns, { field: 'username', orderIndex: column.orderIndex }] : page.columns;
    for (const row of page.rows) {
      const cell = row.cells.get(usernameField);
      if (cell && !row.cells.has('username')) row.cells.set('username', cell);
    }
    return { ...page, columns };
  }

  const ctx = {
    session,
    host,
    ids,
    site: memo((): Promise<SiteMap> => discoverSite(session)),
    get layout() {
      return layout;
    },

    /**
     * Whether the admin's own search box (its search_fields) finds users by
     * username: asked once, by searching for the signed-in admin's own name.
     * Where it does not (cookiecutter-django searches only `name`), the
     * console searches with a username filter instead.
     */
    searchesUsernames: memo(async (): Promise<boolean> => {
      if (!layout) await ctx.changeList(new URLSearchParams());
      if (!layout?.searchable) return false;
      const page = await ctx.changeList(new URLSearchParams({ q: session.username, username__exact: session.username }));
      return (page?.rows.length ?? 0) > 0;
    }),

    /** One page of the user change list with these parameters; null when Django sent us to `?e=1` (a page past the end). */
    async changeList(params: URLSearchParams): Promise<ChangeListPage | null> {
      const { users: base, usernameField } = await ctx.site();
      const url = new URL(`?${(await adminParams(params)).toString()}`, base);
      const page = await session.page(url, base);
      if (page.status !== 200) throw failureForPage(page, host, 'list users');
      if (page.url.searchParams.has('e')) {
        if (params.has('p')) return null;
        throw remoteErrors.refusedLookup(host, `list users with ${[...params.keys()].join(', ')}`);
      }
      const read = alias(
        readChangeList(page, host, (pk) => ids.idOf(pk)),
        usernameField,
      );
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

    /** The key behind an id; an id this connection never handed out is no user. */
    async pkOf(id: number): Promise<string> {
      // Before any key is seen, the signed-in admin's own row says what kind the keys are.
      if (ids.kind === null) await ctx.changeList(new URLSearchParams({ username__exact: session.username }));
      const pk = ids.pkOf(id);
      if (pk === null) throw remoteErrors.userNotFound(id);
      return pk;
    },

    /** A user's page of the admin: `<users>/<quoted pk>/change/` and the like. */
    async userUrl(id: number, page: 'change' | 'password' | 'delete'): Promise<URL> {
      const base = (await ctx.site()).users;
      return new URL(pkPath(await ctx.pkOf(id), page), base);
    },

    async changeForm(id: number): Promise<ChangeForm> {
      const { users: base, usernameField } = await ctx.site();
      const url = await ctx.userUrl(id, 'change');
      const page = await session.page(url, base);
      // Django 3.2+ answers an unknown pk with a redirect to the admin index and a message; older ones with 404.
      if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw remoteErrors.userNotFound(id);
      if (page.status !== 200) throw failureForPage(page, host, `open user ${id}`);
      return readChangeForm(page, id, host, usernameField, await ctx.formats());
    },

    /** How the admin writes dates (its jsi18n catalog), asked once. */
    formats: memo(() => fetchAdminFormats(session)),

    /**
     * Dates as pages showed them, as UTC instants by the server's time zone
     * (server-time.ts): a question to Django only where the zones its offset
     * allows disagree, a row's own filtered change list.
     */
    async instants(dates: readonly ShownDate[], offsetNow: number | null): Promise<string[]> {
      if (!dates.length) return [];
      if (offsetNow === null) throw remoteErrors.unexpected(host, 'pages that do not say their offset from UTC (data-admin-utc-offset), which dates need');
      const iso = (t: number) => new Date(t).toISOString();
      try {
        return await clock.instants(dates, offsetNow, async (d, from, to) => {
          const page = await ctx.changeList(
            new URLSearchParams({ id__in: String(d.id), [`${d.field}__gte`]: iso(from), [`${d.field}__lt`]: iso(to), all: '' }),
          );
          return page?.rows.some((r) => r.id === d.id) ?? false;
        });
      } catch (e) {
        if (!(e instanceof ZoneMismatch)) throw e;
        throw new ConsoleFailure({
          code: 'SERVER_ERROR',
          serverCode: 'DATES_UNPLACED',
          message: `The admin site at ${host} shows dates the console cannot place in time (${e.message}): its time zone rules may differ from the console's, or the dates changed while read. Nothing was guessed; try again.`,
        });
      }
    },

    /** The user a change form shows, with a flag it does not show read from the change list's filters, and a date from the list's column. */
    async userOf(f: ChangeForm): Promise<User> {
      const matching = async (extra: Record<string, string>) =>
        new Set((await ctx.changeList(new URLSearchParams({ id__in: String(f.id), all: '', ...extra })))?.rows.map((r) => r.id) ?? []);
      const s = f.shown;
      const flags = await Promise.all(USER_FLAGS.map(async (flag) => s[flag] ?? (await matching({ [`${flag}__exact`]: '1' })).has(f.id)));
      const shown = (['date_joined', 'last_login'] as const).flatMap((field): ShownDate[] =>
        f.dates[field] ? [{ id: f.id, field, time: f.dates[field]! }] : [],
      );
      const placed = await ctx.instants(shown, f.utcOffset);
      const dates = await Promise.all(
        (['date_joined', 'last_login'] as const).map(async (d) => {
          const at = shown.findIndex((x) => x.field === d);
          if (at >= 0) return placed[at]!;
          if (f.dates[d] === null && d === 'last_login') return null;
          const listed = f.dates[d] === undefined ? await listedDate(ctx, f.id, d) : null;
          if (!listed || (listed.value === null && d === 'date_joined'))
            throw remoteErrors.unexpected(host, `the ${d.replace('_', ' ')} of user ${f.id}, which neither its form nor its list shows`);
          return listed.value;
        }),
      );
      return {
        id: f.id,
        username: s.username ?? '',
        email: s.email ?? null,
        is_active: flags[0]!,
        is_staff: flags[1]!,
        is_superuser: flags[2]!,
        date_joined: dates[0]!,
        last_login: dates[1] ?? null,
      };
    },

    async getUser(id: number): Promise<User> {
      return ctx.userOf(await ctx.changeForm(id));
    },

    /**
     * The preflight, once per connection: the USERNAME_FIELD (from the add
     * form), the kind of key, and how the change form holds each field, read
     * from the signed-in admin's own form.
     */
    model: memo(async (): Promise<UserModel> => {
      const { usernameField } = await ctx.site();
      const me = (await ctx.changeList(new URLSearchParams({ username__exact: session.username })))?.rows[0];
      if (!me) throw remoteErrors.noUserModel(host);
      const { states } = await ctx.changeForm(me.id);
      return { usernameField, keys: ids.kind === 'integer' ? 'integer' : 'other', states };
    }),
  };
  return ctx;
}

export type RemoteContext = ReturnType<typeof createRemoteContext>;

/** A value asked for once and shared; a failure is not kept, so the next operation asks again. */
function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () =>
    (p ??= make().catch((e: unknown) => {
      p = null;
      throw e;
    }));
}
