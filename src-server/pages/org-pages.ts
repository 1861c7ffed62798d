import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAppError, type AppError } from '../errors.ts';
import { toUser } from '../users/users-repo.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import { ORG_NAME_MAX, ORG_SLUG_MAX, type Organization } from '../../src-shared/org-schemas.ts';
import { html, when } from './html.ts';
import { csrfInput, field, layout, notice } from './layout.ts';
import { formText } from './form.ts';
import type { PageContext } from './page-context.ts';
import { pageActor, requireSession } from './signed-in.ts';
import { fieldErrors, messages, ORGS_URL, orgUrl } from './org-page-parts.ts';
import { orgPage } from './org-page.ts';

const text = formText;

interface CreateForm {
  slug: string;
  name: string;
  error?: AppError | null;
}

/**
 * The signed-in user's organizations, under /dashboard/organizations/: the
 * list and the form that makes one (org-page.ts has one organization's page).
 * Every write is a POST with the session's CSRF token, answered by a
 * redirect (post/redirect/get); a refusal shows the service's sentence.
 */
export function orgPages(app: FastifyInstance, ctx: PageContext): void {
  const { s } = ctx;
  const tags = ['pages'];

  async function listPage(reply: FastifyReply, session: ActiveSession, status = 200, form: CreateForm = { slug: '', name: '' }) {
    const user = toUser(session.user);
    const items = ctx.flash.take(session.idHash);
    const mine = await s.orgs.listMine({ id: user.id, username: user.username });
    const open = user.is_superuser || (await s.settings.values()).IS_ORG_CREATION_OPEN;
    const errors = fieldErrors(form.error);
    const row = (o: Organization) => html`<tr>
<td><a href="${orgUrl(o.slug)}">${o.name}</a></td><td><code class="inline">${o.slug}</code></td>
<td>${o.role ? html`<span class="badge on">${o.role}</span>` : html`<span class="muted">not a member</span>`}</td>
<td>${o.member_count.toLocaleString('en-US')}</td><td>${when(o.created_at)}</td></tr>`;
    const body = html`<p><a href="/dashboard/">← Dashboard</a></p>
<h1>Organizations</h1>
<p class="lead">Work with others under one name: tokens made in an organization act for it.</p>
${messages(items)}
<section class="card" aria-labelledby="mine-h">
<h2 id="mine-h">Your organizations</h2>
<table><caption class="skip">Your organizations</caption><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Your role</th><th scope="col">Members</th><th scope="col">Created</th></tr></thead><tbody>
<tr><td>${mine.personal.name} <span class="muted">(personal)</span></td><td><code class="inline">${mine.personal.slug}</code></td><td><span class="muted">yours alone</span></td><td>1</td><td><span class="muted">—</span></td></tr>
${mine.results.map(row)}
</tbody></table>
${mine.results.length === 0 ? html`<p class="hint">You are in no organization besides your personal one.</p>` : ''}
</section>
<section class="card" aria-labelledby="new-h">
<h2 id="new-h">Create an organization</h2>
${
  open
    ? html`${form.error && !form.error.fields?.length ? notice('error', form.error.message) : ''}
<form method="post" action="${ORGS_URL}" novalidate>
${csrfInput(session.csrf)}
${field({ name: 'slug', label: 'Id', value: form.slug, required: true, maxlength: ORG_SLUG_MAX, autocomplete: 'off', hint: 'Lower-case letters, digits, - and _; clients name the organization by it, and it never changes.', error: errors.slug, autofocus: Boolean(errors.slug) })}
${field({ name: 'name', label: 'Name', value: form.name, maxlength: ORG_NAME_MAX, autocomplete: 'off', hint: 'Shown to people; the id when left empty.', error: errors.name, autofocus: !errors.slug && Boolean(errors.name) })}
<div class="actions"><button type="submit">Create organization</button></div>
</form>
<p class="hint">You become its admin: you invite people and choose who else manages it.</p>`
    : html`<p>Only superusers can create organizations on this server. Ask an administrator to make one for you, or to invite you into one.</p>`
}
</section>`;
    return ctx.send(reply, status, layout({ title: 'Organizations', user, csrf: session.csrf, body }));
  }

  app.get(ORGS_URL, { schema: { summary: 'Your organizations, and a form to create one', tags } }, async (request, reply) => {
    const session = await requireSession(ctx, request, reply);
    return session ? listPage(reply, session) : reply;
  });

  app.post(ORGS_URL, { schema: { summary: 'Create an organization', tags } }, async (request, reply) => {
    const session = await requireSession(ctx, request, reply);
    if (!session || !ctx.checkCsrf(request, reply, session)) return reply;
    const form = { slug: text(request, 'slug').trim(), name: text(request, 'name').trim() };
    try {
      const org = await s.orgs.create(pageActor(request, session), { slug: form.slug, ...(form.name ? { name: form.name } : {}) });
      ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: `Organization “${org.name}” created. You are its admin.` });
      return reply.redirect(orgUrl(org.slug), 303);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return listPage(reply, session, e.status, { ...form, error: e });
    }
  });

  orgPage(app, ctx);
}
