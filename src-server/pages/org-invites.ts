import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import type { OrgInvitationView } from '../../src-shared/org-schemas.ts';
import { html, when, type SafeHtml } from './html.ts';
import { csrfInput } from './layout.ts';
import { formText } from './form.ts';
import type { PageContext } from './page-context.ts';
import { pageActor } from './signed-in.ts';
import { ORG_ROLES, roleOf } from './org-page-parts.ts';

/** How long a new link lasts, in hours: the choices of the form (the service allows 1 to 720). */
const EXPIRY_CHOICES: Array<[number, string]> = [
  [24, '1 day'],
  [72, '3 days'],
  [168, '7 days'],
  [720, '30 days'],
];
const DEFAULT_EXPIRY = 72;

/** An organization's invitations for its admins: the form that makes a link, and the links still usable, each with Revoke. */
export function invitesCard(url: string, csrf: string, pending: OrgInvitationView[]): SafeHtml {
  return html`<section class="card" aria-labelledby="invite-h">
<h2 id="invite-h">Invite</h2>
<p class="hint">A single-use link: whoever opens it joins with the role you pick (signed in, with their account; otherwise they make one, even while sign-up is closed).</p>
<form method="post" action="${url}invitations" class="row">
${csrfInput(csrf)}
<div><label for="f-invite-role">Role</label><select id="f-invite-role" name="role">${ORG_ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select></div>
<div><label for="f-invite-expiry">Expires after</label><select id="f-invite-expiry" name="expires_in_hours">${EXPIRY_CHOICES.map(
    ([h, label]) => html`<option value="${h}" ${h === DEFAULT_EXPIRY ? html`selected` : ''}>${label}</option>`,
  )}</select></div>
<div><label for="f-invite-note">Note <span class="muted">(optional)</span></label><input id="f-invite-note" name="note" type="text" maxlength="254" placeholder="for Ana"></div>
<div><button type="submit">Create link</button></div>
</form>
<h3 id="pending-h">Pending invitations</h3>
${
  pending.length === 0
    ? html`<p class="muted">No pending invitations.</p>`
    : html`<table aria-labelledby="pending-h"><thead><tr><th scope="col">Note</th><th scope="col">Role</th><th scope="col">Made by</th><th scope="col">Expires</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>
${pending.map(
  (i) => html`<tr><td>${i.note ?? html`<span class="muted">none</span>`}</td><td>${i.role}</td><td>${i.created_by ?? ''}</td><td>${when(i.expires_at)}</td>
<td><form method="post" action="${url}invitations/${i.id}/revoke">${csrfInput(csrf)}<button type="submit" class="danger small">Revoke<span class="skip"> invitation ${i.note ?? i.id}</span></button></form></td></tr>`,
)}
</tbody></table>`
}
</section>`;
}

type Act = (request: FastifyRequest, reply: FastifyReply, session: ActiveSession, slug: string) => Promise<FastifyReply | void>;

/** The invitation writes of an organization's page, through its POST helper (org-actions.ts). */
export function inviteActions(ctx: PageContext, post: (url: string, summary: string, act: Act) => void): void {
  const { s } = ctx;

  post('invitations', 'Create an invitation link into an organization', async (request, _reply, session, slug) => {
    const hours = Number(formText(request, 'expires_in_hours'));
    if (!EXPIRY_CHOICES.some(([h]) => h === hours)) {
      throw new AppError('VALIDATION', 'Pick an expiry from the list.', { fields: [{ field: 'expires_in_hours', message: 'pick one from the list' }] });
    }
    const note = formText(request, 'note').trim();
    const made = await s.orgInvitations.create(pageActor(request, session), slug, { role: roleOf(request), expires_in_hours: hours, note: note || null });
    // The whole link: the address people use when the server knows it (PUBLIC_URL), else the one this browser used.
    const { PUBLIC_URL } = await s.settings.values();
    const origin = PUBLIC_URL || `${request.protocol}://${request.host}`;
    const org = await s.orgs.get(pageActor(request, session), slug);
    ctx.flash.push(session.idHash, {
      type: 'org_invitation',
      url: `${origin}${made.path}`,
      org: org.name,
      role: made.invitation.role,
      expiresAt: made.invitation.expires_at,
    });
  });

  post('invitations/:id/revoke', 'Revoke an invitation link into an organization', async (request, _reply, session, slug) => {
    const id = String((request.params as { id: string }).id);
    // Ids are URL-safe tokens; anything else (a NUL would reach PostgreSQL) names none.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new AppError('INVITATION_NOT_FOUND', 'No such invitation in this organization.');
    await s.orgInvitations.revoke(pageActor(request, session), slug, id);
    ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: 'Invitation revoked: the link no longer works.' });
  });
}
