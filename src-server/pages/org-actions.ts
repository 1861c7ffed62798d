import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { bool } from '../db/schema.ts';
import { toUser } from '../users/users-repo.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import type { Organization } from '../../src-shared/org-schemas.ts';
import { html, SafeHtml, when } from './html.ts';
import { csrfInput, layout } from './layout.ts';
import { formText } from './form.ts';
import type { PageContext } from './page-context.ts';
import { pageActor, requireSession } from './signed-in.ts';
import { manages, ORGS_URL, orgUrl, roleOf, slugOf, userIdOf, type CreateUserForm } from './org-page-parts.ts';
import { inviteActions } from './org-invites.ts';

const text = formText;

export interface OrgPageHooks {
  render(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ActiveSession,
    slug: string,
    status?: number,
    createUser?: CreateUserForm,
  ): Promise<FastifyReply>;
  refused(reply: FastifyReply, e: AppError): FastifyReply;
}

/** Refusals that mean there is no organization page to go back to. */
const NO_PAGE = new Set(['ORG_NOT_FOUND', 'ORG_NOT_MEMBER', 'UNAUTHENTICATED']);

/**
 * What is done on an organization's page: change a role, remove a member and
 * leave (each removal behind a confirmation page), and make a user there
 * (superusers). Each is a POST with the session's CSRF token; the services
 * decide who may, and their refusal is shown as it is said.
 */
export function orgActions(app: FastifyInstance, ctx: PageContext, page: OrgPageHooks): void {
  const { s } = ctx;
  const tags = ['pages'];
  const notFound = (reply: FastifyReply) => ctx.errorPage(reply, 404, 'Organization not found', 'No organization has that name.');
  const ok = (session: ActiveSession, text: string) => ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text });

  /** Signed in, a well-formed organization name, the CSRF token right; then act, and back to the organization's page (post/redirect/get). */
  function post(
    url: string,
    summary: string,
    act: (request: FastifyRequest, reply: FastifyReply, session: ActiveSession, slug: string) => Promise<FastifyReply | void>,
  ) {
    app.post(`${ORGS_URL}:slug/${url}`, { schema: { summary, tags } }, async (request, reply) => {
      const session = await requireSession(ctx, request, reply);
      if (!session || !ctx.checkCsrf(request, reply, session)) return reply;
      const slug = slugOf(request);
      if (!slug) return notFound(reply);
      try {
        return (await act(request, reply, session, slug)) ?? reply.redirect(orgUrl(slug), 303);
      } catch (e) {
        if (!isAppError(e)) throw e;
        if (NO_PAGE.has(e.code)) return page.refused(reply, e);
        ctx.flash.push(session.idHash, { type: 'message', kind: 'error', text: e.message });
        return reply.redirect(orgUrl(slug), 303);
      }
    });
  }

  /** A confirmation page (GET) for the organization in the URL, shown to whom `allowed` lets see it. */
  function confirm(
    url: string,
    summary: string,
    body: (request: FastifyRequest, reply: FastifyReply, session: ActiveSession, org: Organization) => Promise<SafeHtml | FastifyReply>,
  ) {
    app.get(`${ORGS_URL}:slug/${url}`, { schema: { summary, tags } }, async (request, reply) => {
      const session = await requireSession(ctx, request, reply);
      if (!session) return reply;
      const slug = slugOf(request);
      if (!slug) return notFound(reply);
      let org: Organization;
      try {
        org = await s.orgs.get(pageActor(request, session), slug);
      } catch (e) {
        if (!isAppError(e)) throw e;
        return page.refused(reply, e);
      }
      const made = await body(request, reply, session, org);
      if (!(made instanceof SafeHtml)) return made;
      return ctx.send(reply, 200, layout({ title: summary, user: toUser(session.user), csrf: session.csrf, narrow: true, body: made }));
    });
  }

  const memberId = (request: FastifyRequest): number => {
    const id = userIdOf(request);
    if (id === null) throw new AppError('MEMBER_NOT_FOUND', 'No such member.');
    return id;
  };

  post('members/:userId/role', "Change a member's role", async (request, _reply, session, slug) => {
    const member = await s.orgMembers.setRole(pageActor(request, session), slug, memberId(request), roleOf(request));
    ok(session, `“${member.username}” is now ${member.role === 'admin' ? 'an admin' : 'a member'}.`);
  });

  confirm('members/:userId/remove', 'Remove member', async (request, reply, session, org) => {
    if (!manages(org, session)) return ctx.errorPage(reply, 403, 'Refused', `Only an admin of “${org.slug}” can do this.`);
    const id = userIdOf(request);
    const member = id === null ? undefined : await s.orgsRepo.member(s.db.read, org.id, id);
    if (!member) return ctx.errorPage(reply, 404, 'Member not found', `That user is not a member of “${org.slug}”.`);
    const url = orgUrl(org.slug);
    return html`<div class="card"><h1>Remove “${member.username}” from ${org.name}?</h1>
<p>${member.username} is ${member.role === 'admin' ? 'an admin' : 'a member'} since ${when(member.joined_at)}.</p>
<p>Their account stays; they lose access to this organization, and their tokens made in it stop acting for it. They can be invited again.</p>
<form method="post" action="${url}members/${member.user_id}/remove">${csrfInput(session.csrf)}
<div class="actions"><button type="submit" class="danger">Remove member</button><a href="${url}">Cancel</a></div></form></div>`;
  });

  post('members/:userId/remove', 'Remove a member', async (request, _reply, session, slug) => {
    await s.orgMembers.remove(pageActor(request, session), slug, memberId(request));
    ok(session, 'Member removed.');
  });

  confirm('leave', 'Leave organization', async (_request, reply, session, org) => {
    if (!org.role) return ctx.errorPage(reply, 409, 'Not a member', `You are not a member of “${org.slug}”.`);
    const url = orgUrl(org.slug);
    return html`<div class="card"><h1>Leave ${org.name}?</h1>
<p>You are ${org.role === 'admin' ? 'an admin' : 'a member'} of <code class="inline">${org.slug}</code>. After leaving you no longer see it, and your tokens made in it stop acting for it.</p>
<p>To come back you need a new invitation from one of its admins.</p>
<form method="post" action="${url}leave">${csrfInput(session.csrf)}
<div class="actions"><button type="submit" class="danger">Leave organization</button><a href="${url}">Cancel</a></div></form></div>`;
  });

  post('leave', 'Leave an organization', async (request, reply, session, slug) => {
    await s.orgMembers.leave(pageActor(request, session), slug);
    ok(session, `You left “${slug}”.`);
    return reply.redirect(ORGS_URL, 303);
  });

  inviteActions(ctx, post);

  post('users', 'Create a user in an organization', async (request, reply, session, slug) => {
    const form = { username: text(request, 'username').trim(), email: text(request, 'email').trim(), role: text(request, 'role') };
    try {
      const { user, member } = await s.orgMembers.createUser(
        pageActor(request, session),
        slug,
        { username: form.username, email: form.email || null, password: text(request, 'password') },
        roleOf(request),
      );
      ok(
        session,
        `Account “${user.username}” created; it is ${member.role === 'admin' ? 'an admin' : 'a member'} here and can sign in with the password you set.`,
      );
    } catch (e) {
      // Only a superuser has the form to show the refusal beside; anyone else gets it as a message.
      if (!isAppError(e) || NO_PAGE.has(e.code) || !bool(session.user.is_superuser)) throw e;
      return page.render(request, reply, session, slug, e.status, { ...form, error: e });
    }
  });
}
