import type { Membership, OrgMember, OrgPage, OrgQuery, OrgRole, Organization, UnlistedOrgField } from '../../../src-shared/domain.ts';
import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { entryValue, findForm, type AdminForm } from './admin-forms.ts';
import type { AdminPage } from './admin-http.ts';
import { isEmpty, readChangeList, type ChangeListPage } from './change-list.ts';
import { attr, byId, find, findAll, text, type Element } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { pkPath } from './user-ids.ts';

/**
 * A Graphistry's organizations, read through its admin site (read-only: see
 * capabilities.ts). The organization model and its membership model are the
 * ones admin-index.ts found; every field is read from what their pages show
 * (the change list's `column-<field>` columns, the change form's fields, the
 * members inline's selects, the membership list's filters), and a field
 * they do not show is null, never guessed. An organization's `ref` is its
 * admin key (`pk-<key>`), since the slug a list shows is not what its pages
 * are addressed by.
 */

const DEFAULT_PAGE_SIZE = 50;

const unreadableMembers = () =>
  new ConsoleFailure({
    code: 'UNSUPPORTED',
    serverCode: 'ORG_MEMBERS_UNREADABLE',
    message: "This Graphistry's admin site shows organizations but not who is in them: see the members on the Graphistry itself.",
  });

export const orgNotFound = (ref: string) => new ConsoleFailure({ code: 'NOT_FOUND', serverCode: 'ORG_NOT_FOUND', message: `No organization “${ref}”.` });

async function orgSite(ctx: RemoteContext) {
  const site = (await ctx.site()).organizations;
  // The backend checks the capability before calling in; this is the same refusal for a direct call.
  if (!site) throw remoteErrors.unsupported('This admin site lists no organization model.');
  return site;
}

/** A role as the admin shows it: a select's value, or a list cell's label ("Admin"); anything else is not read. */
function roleOf(shown: string | null): OrgRole | null {
  const r = shown?.trim().toLowerCase();
  return r === 'admin' || r === 'member' ? r : null;
}

const refOf = (pk: string) => `pk-${pk}`;
function pkOfRef(ref: string): string {
  const m = /^pk-(.+)$/.exec(ref);
  if (!m) throw orgNotFound(ref);
  return m[1]!;
}

async function listPage(
  ctx: RemoteContext,
  base: URL,
  params: URLSearchParams,
  what: string,
): Promise<{ page: AdminPage; list: ChangeListPage; pks: string[] } | null> {
  const page = await ctx.session.page(new URL(`?${params.toString()}`, base), base);
  if (page.status !== 200) throw failureForPage(page, ctx.host, what);
  // Django answers a lookup it refuses (or a page past the end) with ?e=1.
  if (page.url.searchParams.has('e')) return null;
  const pks: string[] = [];
  const list = readChangeList(page, ctx.host, (pk) => pks.push(pk) - 1);
  return { page, list, pks };
}

/** The name a row's change link shows (the model's `str()`), for a list that shows no `name` column. */
function linkText(cells: Map<string, Element>): string {
  for (const cell of cells.values()) {
    const a = find(cell, (e) => e.tagName === 'a' && /\/change\/?(\?|$)/.test(attr(e, 'href') ?? ''));
    if (a) return text(a);
  }
  return '';
}

/** Django's change-list orderings: `o=<column index>` for a column the list shows and sorts by. */
function orderParam(list: ChangeListPage, ordering: NonNullable<OrgQuery['ordering']>, host: string): string {
  const desc = ordering.startsWith('-');
  const field = desc ? ordering.slice(1) : ordering;
  const names = field === 'created_at' ? ['created_at', 'created'] : [field];
  const column = list.columns.find((c) => names.includes(c.field) && c.orderIndex !== null);
  if (!column)
    throw remoteErrors.unsupported(
      `The admin site at ${host} does not sort organizations by ${field.replace('_', ' ')}: it sorts only by the columns its list shows.`,
    );
  return `${desc ? '-' : ''}${column.orderIndex}`;
}

/**
 * A page of organizations: Django's change list pages (list_per_page rows
 * each) that hold the console's page, searched with the admin's own search
 * box (its search_fields) or, without one, by slug.
 */
export async function listOrganizations(ctx: RemoteContext, q: OrgQuery): Promise<OrgPage> {
  const { orgs } = await orgSite(ctx);
  const size = q.page_size ?? DEFAULT_PAGE_SIZE;
  const page = q.page ?? 1;
  const first = await listPage(ctx, orgs, new URLSearchParams(), 'list organizations');
  if (!first) throw remoteErrors.unexpected(ctx.host, 'its organization list');
  const params = new URLSearchParams();
  const search = q.search?.trim();
  if (search) params.set(first.list.searchable ? 'q' : 'slug__icontains', search);
  if (q.ordering) params.set('o', orderParam(first.list, q.ordering, ctx.host));
  const base = [...params].length ? await listPage(ctx, orgs, params, 'search organizations') : first;
  if (!base) throw remoteErrors.refusedLookup(ctx.host, 'search organizations by slug');
  // The first page of a longer result holds exactly list_per_page rows.
  const perPage = Math.max(base.list.rows.length, 1);
  const offset = (page - 1) * size;
  const pageBase = base.list.pageBase ?? 1;
  const rows: Array<{ pk: string; cells: Map<string, Element> }> = [];
  const from = Math.floor(offset / perPage);
  const to = base.list.count > perPage ? Math.floor((offset + size - 1) / perPage) : 0;
  for (let k = from; k <= to; k++) {
    const read = k === 0 ? base : await listPage(ctx, orgs, new URLSearchParams([...params, ['p', String(k + pageBase)]]), 'list organizations');
    if (!read) break;
    read.list.rows.forEach((r, i) => {
      const at = k * perPage + i;
      if (at >= offset && at < offset + size) rows.push({ pk: read.pks[r.id]!, cells: r.cells });
    });
  }
  const columns = new Set(base.list.columns.map((c) => c.field));
  const unlisted: UnlistedOrgField[] = ['join_policy', 'created_at', 'member_count', 'admin_count'];
  if (!columns.has('slug')) unlisted.unshift('slug');
  const results: Organization[] = rows.map(({ pk, cells }) => {
    const cell = (f: string) => {
      const c = cells.get(f);
      const t = c ? text(c) : '';
      return c && !isEmpty(t) ? t : null;
    };
    return {
      ref: refOf(pk),
      slug: cell('slug'),
      name: cell('name') ?? linkText(cells),
      join_policy: null,
      created_at: null,
      member_count: null,
      admin_count: null,
      role: null,
    };
  });
  return { count: base.list.count, page, page_size: size, results, unlisted };
}

/** An organization's change form: its fields and its members inline, if the admin has one. */
async function changeForm(ctx: RemoteContext, ref: string): Promise<{ form: AdminForm; page: AdminPage }> {
  const { orgs } = await orgSite(ctx);
  const url = new URL(pkPath(pkOfRef(ref), 'change'), orgs);
  const page = await ctx.session.page(url, orgs);
  // Django 3.2+ answers an unknown key with a redirect to the admin index; older ones with 404.
  if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw orgNotFound(ref);
  if (page.status !== 200) throw failureForPage(page, ctx.host, `open organization ${ref}`);
  const form = findForm(page.html, page.url.toString(), ['_save']) ?? findForm(page.html, page.url.toString(), []);
  if (!form) throw remoteErrors.unexpected(ctx.host, `the page of organization ${ref}`);
  return { form, page };
}

/** The members inline: the formset whose forms have a user select (`<prefix>-<i>-user`). */
function inlineMembers(ctx: RemoteContext, root: Element): Array<Omit<OrgMember, 'email' | 'is_active' | 'joined_at' | 'invited_by'>> | null {
  for (const total of findAll(root, (e) => e.tagName === 'input' && /-INITIAL_FORMS$/.test(attr(e, 'name') ?? ''))) {
    const prefix = attr(total, 'name')!.replace(/-INITIAL_FORMS$/, '');
    const n = Number(attr(total, 'value') ?? '0');
    const select = (i: number | '__prefix__', field: string) => find(root, (e) => e.tagName === 'select' && attr(e, 'name') === `${prefix}-${i}-${field}`);
    // Django renders an empty form (`__prefix__`) beside the saved ones: it says the formset's fields even when there are none.
    if (!select(n > 0 ? 0 : '__prefix__', 'user')) continue;
    const members = [];
    for (let i = 0; i < n; i++) {
      const chosen = (field: string) => {
        const s = select(i, field);
        const o = s ? findAll(s, (e) => e.tagName === 'option' && attr(e, 'selected') !== null).at(-1) : undefined;
        return o ? { value: attr(o, 'value') ?? text(o), label: text(o) } : null;
      };
      const user = chosen('user');
      if (!user) return null;
      const role = chosen('role');
      members.push({ user_id: ctx.ids.idOf(user.value), username: user.label, role: roleOf(role?.value ?? null) });
    }
    return members;
  }
  return null;
}

/** Filter links of a change list (`?<field>__id__exact=<key>`), by parameter: what each names (text) and its key. */
function filterLinks(root: Element): Map<string, Array<{ value: string; label: string }>> {
  const out = new Map<string, Array<{ value: string; label: string }>>();
  const box = byId(root, 'changelist-filter');
  for (const a of box ? findAll(box, (e) => e.tagName === 'a') : []) {
    for (const [k, v] of new URLSearchParams((attr(a, 'href') ?? '').replace(/^[^?]*\??/, ''))) {
      if (!/__(id|pk)__exact$/.test(k)) continue;
      const list = out.get(k) ?? [];
      if (!list.some((x) => x.value === v)) list.push({ value: v, label: text(a) });
      out.set(k, list);
    }
  }
  return out;
}

/** The membership change list's two filters (which organization, which user), learnt from its sidebar. */
async function memberFilters(ctx: RemoteContext) {
  const { members } = await orgSite(ctx);
  if (!members) throw unreadableMembers();
  const read = await listPage(ctx, members, new URLSearchParams(), 'list memberships');
  if (!read) throw unreadableMembers();
  const links = filterLinks(read.page.html);
  const key = (test: RegExp) => [...links.keys()].find((k) => test.test(k.split('__')[0]!)) ?? null;
  return { members, links, org: key(/org/i), user: key(/user|member|account/i) };
}

/** Memberships filtered by one parameter, every one on one page (`all`). */
async function membershipRows(ctx: RemoteContext, members: URL, param: string, value: string) {
  const read = await listPage(ctx, members, new URLSearchParams({ [param]: value, all: '' }), 'list memberships');
  if (!read) throw unreadableMembers();
  return read;
}

export async function getOrganization(ctx: RemoteContext, ref: string): Promise<Organization> {
  const { form, page } = await changeForm(ctx, ref);
  const members = inlineMembers(ctx, page.html);
  const slug = entryValue(form, 'slug');
  const title = text(find(page.html, (e) => e.tagName === 'h2') ?? page.html);
  return {
    ref,
    slug: slug || null,
    name: entryValue(form, 'name') || slug || title,
    join_policy: null,
    created_at: null,
    member_count: members ? members.length : null,
    admin_count: members && members.every((m) => m.role !== null) ? members.filter((m) => m.role === 'admin').length : null,
    role: null,
  };
}

/** Its members: the change form's inline where the admin has one, else the membership list filtered by organization. */
export async function listOrgMembers(ctx: RemoteContext, ref: string, q: { search?: string; page?: number; page_size?: number }) {
  const { page } = await changeForm(ctx, ref);
  let found = inlineMembers(ctx, page.html);
  if (!found) {
    const f = await memberFilters(ctx);
    if (!f.org || !f.user) throw unreadableMembers();
    const read = await membershipRows(ctx, f.members, f.org, pkOfRef(ref));
    const users = f.links.get(f.user)!;
    found = read.list.rows.map((r) => {
      const cell = r.cells.get(f.user!.split('__')[0]!);
      if (!cell) throw unreadableMembers();
      const label = text(cell);
      const matches = users.filter((u) => u.label === label);
      if (matches.length !== 1) throw unreadableMembers();
      return { user_id: ctx.ids.idOf(matches[0]!.value), username: label, role: roleOf(r.cells.get('role') ? text(r.cells.get('role')!) : null) };
    });
  }
  const search = q.search?.trim().toLowerCase();
  const all: OrgMember[] = found
    .filter((m) => !search || m.username.toLowerCase().includes(search))
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((m) => ({ ...m, email: null, is_active: null, joined_at: null, invited_by: null }));
  const size = q.page_size ?? DEFAULT_PAGE_SIZE;
  const pageNo = q.page ?? 1;
  return { count: all.length, page: pageNo, page_size: size, results: all.slice((pageNo - 1) * size, pageNo * size) };
}

/** The organizations a user is in: the membership list filtered by that user, each organization named by the list's own organization filter. */
export async function listUserMemberships(ctx: RemoteContext, userId: number): Promise<Membership[]> {
  const f = await memberFilters(ctx);
  if (!f.org || !f.user) throw unreadableMembers();
  const read = await membershipRows(ctx, f.members, f.user, await ctx.pkOf(userId));
  // With no rows Django shows no table, hence no columns.
  if (read.list.rows.length === 0) return [];
  const orgs = f.links.get(f.org)!;
  const orgColumn = read.list.columns.find((c) => c.field === f.org!.split('__')[0])?.field ?? null;
  if (!orgColumn) throw unreadableMembers();
  return read.list.rows.map((r) => {
    const label = text(r.cells.get(orgColumn)!);
    const matches = orgs.filter((o) => o.label === label);
    // Two organizations shown alike: which one this is cannot be told, and is not guessed.
    if (matches.length !== 1) throw remoteErrors.unexpected(ctx.host, `a membership in “${label}”, which names no single organization`);
    return {
      organization: { ref: refOf(matches[0]!.value), slug: null, name: label },
      role: roleOf(r.cells.get('role') ? text(r.cells.get('role')!) : null),
      joined_at: null,
    };
  });
}
