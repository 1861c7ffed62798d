import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../errors.ts';
import { bool } from '../db/schema.ts';
import { toUser } from '../users/users-repo.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import type { Organization, OrgMember } from '../../src-shared/org-schemas.ts';
import type { Page } from '../../src-shared/domain.ts';
import { html, when, type SafeHtml } from './html.ts';
import { csrfInput, field, layout, notice } from './layout.ts';
import type { PageContext } from './page-context.ts';
import { pageActor, pageNumberOf, requireSession } from './signed-in.ts';
import { fieldErrors, manages, messages, ORG_ROLES, ORGS_URL, orgUrl, slugOf, type CreateUserForm } from './org-page-parts.ts';
import { orgActions } from './org-actions.ts';
import { invitesCard } from './org-invites.ts';

/** Members per page of an organization's page. */
export const ORG_MEMBERS_PAGE_SIZE = 25;

/** The `?q=` of the members search: at most 150 characters and no control characters (NUL would reach PostgreSQL), else none. */
function searchOf(request: FastifyRequest): { q: string; refused: boolean } {
  const raw = (request.query as Record<string, unknown> | undefined)?.q;
  if (typeof raw !== 'string') return { q: '', refused: false };
  if (raw.length > 150 || /\p{Cc}/u.test(raw)) return { q: '', refused: true };
  return { q: raw.trim(), refused: false };
}

function roleSelect(id: string, name: string, selected: string, label?: SafeHtml | string): SafeHtml {
  return html`${label ? html`<label for="${id}">${label}</label>` : ''}<select id="${id}" name="${name}">${ORG_ROLES.map(
    (r) => html`<option value="${r}" ${r === selected ? html`selected` : ''}>${r}</option>`,
  )}</select>`;
}

function pager(url: string, q: string, listed: Page<OrgMember>): SafeHtml | string {
  const pages = Math.ceil(listed.count / listed.page_size);
  if (pages <= 1) return '';
  const first = (listed.page - 1) * listed.page_size + 1;
  const last = Math.min(listed.count, listed.page * listed.page_size);
  const href = (to: number) => `${url}?${new URLSearchParams({ ...(q ? { q } : {}), page: String(to) }).toString()}#members-h`;
  const link = (to: number, label: string) => html`<a class="button secondary small" href="${href(to)}">${label}</a>`;
  const n = (x: number) => x.toLocaleString('en-US');
  return html`<nav class="actions" aria-label="Pages of members"><span class="muted">Members ${n(first)}–${n(last)} of ${n(listed.count)}</span>
${listed.page > 1 ? link(listed.page - 1, 'Previous page') : ''}${listed.page < pages ? link(listed.page + 1, 'Next page') : ''}</nav>`;
}

/** The page of one organization (any member), with what an admin or a superuser may do there. */
export function orgPage(app: FastifyInstance, ctx: PageContext): void {
  const { s } = ctx;
  const tags = ['pages'];

  /** A refusal to show the organization at all (unknown, or not a member), as a page. */
  function refused(reply: FastifyReply, e: AppError) {
    const title = e.code === 'ORG_NOT_FOUND' ? 'Organization not found' : e.code === 'ORG_NOT_MEMBER' ? 'Not a member' : 'Refused';
    return ctx.errorPage(reply, e.status, title, e.message);
  }

  function membersTable(org: Organization, session: ActiveSession, listed: Page<OrgMember>): SafeHtml {
    const url = orgUrl(org.slug);
    const manager = manages(org, session);
    const me = Number(session.user.id);
    const row = (m: OrgMember) => html`<tr>
<td>${m.username}${m.user_id === me ? html` <span class="muted">(you)</span>` : ''}${m.is_active ? '' : html` <span class="badge off">inactive</span>`}</td>
<td>${m.email ?? html`<span class="muted">none</span>`}</td>
<td>${
      manager
        ? html`<form method="post" action="${url}members/${m.user_id}/role" class="inline">${csrfInput(session.csrf)}
${roleSelect(`role-${m.user_id}`, 'role', m.role, html`<span class="skip">Role of ${m.username}</span>`)}
<button type="submit" class="secondary small">Change role<span class="skip"> of ${m.username}</span></button></form>`
        : html`<span class="badge on">${m.role}</span>`
    }</td>
<td>${when(m.joined_at)}</td>
${manager ? html`<td><a class="button danger small" href="${url}members/${m.user_id}/remove">Remove<span class="skip"> ${m.username}</span></a></td>` : ''}</tr>`;
    return html`<table><caption class="skip">Members of ${org.name}</caption><thead><tr><th scope="col">Username</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Joined</th>${manager ? html`<th scope="col"><span class="skip">Actions</span></th>` : ''}</tr></thead>
<tbody>${listed.results.map(row)}</tbody></table>`;
  }

  function createUserCard(org: Organization, session: ActiveSession, form: CreateUserForm): SafeHtml {
    const errors = fieldErrors(form.error);
    const focus = ['username', 'email', 'password', 'role'].find((f) => errors[f]);
    return html`<section class="card" aria-labelledby="new-user-h">
<h2 id="new-user-h">Create a user here</h2>
<p class="hint">As a superuser you can make an account that is a member at once. They sign in with the password you set here.</p>
${form.error && !form.error.fields?.length ? notice('error', form.error.message) : ''}
<form method="post" action="${orgUrl(org.slug)}users" novalidate>
${csrfInput(session.csrf)}
${field({ name: 'username', label: 'Username', value: form.username, autocomplete: 'off', required: true, maxlength: 150, error: errors.username, autofocus: focus === 'username' })}
${field({ name: 'email', label: 'Email', type: 'email', value: form.email, autocomplete: 'off', maxlength: 254, error: errors.email, autofocus: focus === 'email' })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, error: errors.password, autofocus: focus === 'password' })}
${roleSelect('f-new-user-role', 'role', form.role || 'member', 'Role')}
<div class="actions"><button type="submit" class="secondary">Create user</button></div>
</form></section>`;
  }

  async function render(request: FastifyRequest, reply: FastifyReply, session: ActiveSession, slug: string, status = 200, createUser?: CreateUserForm) {
    const actor = pageActor(request, session);
    let org: Organization;
    try {
      org = await s.orgs.get(actor, slug);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return refused(reply, e);
    }
    const { q, refused: badSearch } = searchOf(request);
    const query = { search: q || undefined, page_size: ORG_MEMBERS_PAGE_SIZE };
    let listed = await s.orgMembers.list(actor, org.slug, { ...query, page: pageNumberOf(request) });
    // A page past the end (members removed meanwhile, an edited address) shows the last one.
    const lastPage = Math.max(1, Math.ceil(listed.count / ORG_MEMBERS_PAGE_SIZE));
    if (listed.page > lastPage) listed = await s.orgMembers.list(actor, org.slug, { ...query, page: lastPage });
    const pending = manages(org, session) ? await s.orgInvitations.list(actor, org.slug) : null;
    const items = ctx.flash.take(session.idHash);
    if (items.some((f) => f.type !== 'message')) reply.header('referrer-policy', 'no-referrer'); // a new link is a secret
    const url = orgUrl(org.slug);
    const superuser = bool(session.user.is_superuser);
    const body = html`<p><a href="${ORGS_URL}">← Organizations</a></p>
<h1>${org.name}</h1>
<p class="lead"><code class="inline">${org.slug}</code> · ${org.member_count.toLocaleString('en-US')} ${org.member_count === 1 ? 'member' : 'members'} · created ${when(org.created_at)}</p>
<div class="badges" aria-label="Your role here"><span class="badge on">${org.role ?? 'not a member'}</span>${superuser ? html`<span class="badge on">superuser</span>` : ''}</div>
${messages(items)}
${org.admin_count === 0 ? notice('warn', 'This organization has no active admin: only superusers manage it.') : ''}
<section class="card" aria-labelledby="members-h">
<h2 id="members-h">Members</h2>
<form method="get" action="${url}" class="row" role="search" aria-label="Members">
<div><label for="f-q">Search members</label><input id="f-q" name="q" type="text" value="${q}" maxlength="150" placeholder="username or email"></div>
<div><button type="submit" class="secondary">Search</button>${q ? html` <a href="${url}">Show all</a>` : ''}</div>
</form>
${badSearch ? notice('error', 'A search must be at most 150 characters, without control characters.') : ''}
${listed.results.length ? membersTable(org, session, listed) : html`<p class="muted">${q ? 'No member matches that search.' : 'No members.'}</p>`}
${pager(url, q, listed)}
</section>
${pending ? invitesCard(url, session.csrf, pending) : ''}
${superuser ? createUserCard(org, session, createUser ?? { username: '', email: '', role: 'member' }) : ''}
${
  org.role
    ? html`<section class="card" aria-labelledby="leave-h">
<h2 id="leave-h">Leave</h2>
<p class="hint">You stop being a member; tokens made in this organization stop acting for it.</p>
<div class="actions"><a class="button danger" href="${url}leave">Leave ${org.name}</a></div>
</section>`
    : ''
}`;
    return ctx.send(reply, status, layout({ title: org.name, user: toUser(session.user), csrf: session.csrf, body }));
  }

  app.get(
    `${ORGS_URL}:slug/`,
    { schema: { summary: 'One of your organizations: its members, and what your role lets you do there', tags } },
    async (request, reply) => {
      const session = await requireSession(ctx, request, reply);
      if (!session) return reply;
      const slug = slugOf(request);
      if (!slug) return ctx.errorPage(reply, 404, 'Organization not found', 'No organization has that name.');
      return render(request, reply, session, slug);
    },
  );

  orgActions(app, ctx, { render, refused });
}
