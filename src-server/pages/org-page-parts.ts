import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { bool } from '../db/schema.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import { orgSlugParam, type Organization, type OrgRole } from '../../src-shared/org-schemas.ts';
import { html, when, type SafeHtml } from './html.ts';
import { notice, secretBox } from './layout.ts';
import { formText } from './form.ts';
import type { Flash } from './flash.ts';

/** What the organization pages share: their addresses, the form readers and the messages block. */

/** What a refused create-user form sends back to the organization's page. */
export interface CreateUserForm {
  username: string;
  email: string;
  role: string;
  error?: AppError | null;
}

export const ORGS_URL = '/dashboard/organizations/';
export const orgUrl = (slug: string) => `${ORGS_URL}${encodeURIComponent(slug)}/`;
export const ORG_ROLES: readonly OrgRole[] = ['member', 'admin'];

/** A role from a form: one of the two, anything else refused with a sentence. */
export function roleOf(request: FastifyRequest, name = 'role'): OrgRole {
  const role = formText(request, name);
  if ((ORG_ROLES as readonly string[]).includes(role)) return role as OrgRole;
  throw new AppError('VALIDATION', 'Pick a role from the list: admin or member.', { fields: [{ field: name, message: 'must be admin or member' }] });
}

export function fieldErrors(e: AppError | null | undefined): Record<string, string> {
  return Object.fromEntries((e?.fields ?? []).map((f) => [f.field, f.message]));
}

/** A new organization invitation link, shown this once (only its keyed hash is kept). */
export function orgInvitationNotice(f: Extract<Flash, { type: 'org_invitation' }>, i: number): SafeHtml {
  return notice(
    'ok',
    html`<p><strong>Invitation link into “${f.org}”</strong> as ${f.role}, valid until ${when(f.expiresAt)}. Copy it now: it is shown this once, and works once.</p>
${secretBox(`invite-link-${i}`, f.url, 'Invitation link')}
<p class="hint">Whoever opens it joins: signed in, with their account; otherwise they make one.</p>`,
  );
}

/** One-time messages as notices, and a new invitation link. */
export function messages(items: Flash[]): SafeHtml {
  return html`<div role="region" aria-label="Messages" aria-live="polite">${items.map((f, i) =>
    f.type === 'message' ? notice(f.kind, f.text) : f.type === 'org_invitation' ? orgInvitationNotice(f, i) : '',
  )}</div>`;
}

/** The organization a URL names, or null for text no organization can be called (refused before any lookup). */
export function slugOf(request: FastifyRequest): string | null {
  const parsed = orgSlugParam.safeParse((request.params as { slug?: unknown }).slug);
  return parsed.success ? parsed.data : null;
}

/** A member's id from a URL: digits only, else null. */
export function userIdOf(request: FastifyRequest): number | null {
  const raw = String((request.params as { userId?: unknown }).userId ?? '');
  return /^[1-9][0-9]{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : null;
}

/** Whether the page's user manages `org`: its admin, or a superuser. Only what the page offers: the services decide again at every write. */
export function manages(org: Organization, session: ActiveSession): boolean {
  return org.role === 'admin' || bool(session.user.is_superuser);
}
