import type { FastifyInstance } from 'fastify';
import { actorOf, guard } from '../http/auth.ts';
import { parseInput } from '../http/validate.ts';
import type { Services } from '../services.ts';
import { acceptInvitationBody, createInvitationBody, invitationIdParam, invitationTokenParam, listInvitationsQuery } from './invitations-schemas.ts';

/** Creating, listing and revoking invitations: superusers only, registered under /api/v2/admin/invitations. */
export function invitationsAdminRoutes(s: Services) {
  return async (app: FastifyInstance) => {
    guard(app, s.tokens, 'superuser');
    const tags = ['admin: invitations'];

    app.post('/', { schema: { summary: 'Create a single-use invitation link (the token is returned once)', tags } }, async (request, reply) => {
      const body = parseInput(createInvitationBody, request.body ?? {}, 'body');
      const { invitation, token, path } = await s.invitations.create(actorOf(request), {
        expiresInHours: body.expires_in_hours,
        grantStaff: body.grant_staff,
        note: body.note,
      });
      // The whole link when the server knows the address people use (PUBLIC_URL); otherwise the caller puts its own address in front.
      const { PUBLIC_URL } = await s.settings.values();
      return reply.status(201).send({ ...invitation, token, path, url: PUBLIC_URL ? `${PUBLIC_URL}${path}` : null });
    });
    app.get('/', { schema: { summary: 'List invitations: pending (default) or all', tags } }, async (request) => {
      const { status } = parseInput(listInvitationsQuery, request.query, 'query');
      return { results: await s.invitations.list({ status }) };
    });
    app.delete('/:id', { schema: { summary: 'Revoke an invitation', tags } }, async (request) =>
      s.invitations.revoke(actorOf(request), parseInput(invitationIdParam, request.params, 'params').id),
    );
  };
}

/** What someone holding a link may do: look at it, and turn it into an account (even while sign-up is closed). */
export function invitationsPublicRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['registration'];

  app.get('/api/v2/auth/invitations/:token', { schema: { summary: 'Whether an invitation link can still be used', tags } }, async (request) => {
    const { token } = parseInput(invitationTokenParam, request.params, 'params');
    const { status, invitation } = await s.invitations.inspect(token);
    // Anonymous callers learn what the link offers, never who made it or who used it.
    return { status, invitation: invitation && { expires_at: invitation.expires_at, grant_staff: invitation.grant_staff, note: invitation.note } };
  });

  app.post('/api/v2/auth/invitations/accept', { schema: { summary: 'Create an account from an invitation link', tags } }, async (request, reply) => {
    const { token, ...input } = parseInput(acceptInvitationBody, request.body, 'body');
    const result = await s.invitations.accept(token, input, request.ip);
    return reply.status(201).send({
      user: result.user,
      key: { ...result.key.key, id: result.key.id, secret: result.key.secret, authorization: result.key.authorization },
      token: result.token,
    });
  });
}
