import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/audit-service.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import type { PageContext } from './page-context.ts';
import { bool } from '../db/schema.ts';
import { passwordChangeUrl } from './safe-next.ts';

/** The session for a signed-in page, or a redirect to sign-in that comes back here (null). */
export async function requireSession(ctx: PageContext, request: FastifyRequest, reply: FastifyReply): Promise<ActiveSession | null> {
  const session = await ctx.session(request);
  if (!session) {
    const next = request.method === 'GET' ? request.url : '/dashboard/';
    reply.redirect(`/accounts/login/?next=${encodeURIComponent(next)}`, 303);
    return null;
  }
  // Held until the user picks the new password an administrator asked for (password-change-page.ts).
  if (bool(session.user.must_change_password)) {
    reply.redirect(passwordChangeUrl(request.method === 'GET' ? request.url : '/dashboard/'), 303);
    return null;
  }
  return session;
}

/** The page's user as the services and the audit log know them; their rights are re-read where each write commits. */
export function pageActor(request: FastifyRequest, session: ActiveSession): Actor {
  return { userId: Number(session.user.id), username: session.user.username, ip: request.ip, requires: 'user' };
}

/** The `?page=` of a URL: a whole number from 1, anything else the first page. */
export function pageNumberOf(request: FastifyRequest): number {
  const raw = (request.query as Record<string, unknown> | undefined)?.page;
  return typeof raw === 'string' && /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
}
