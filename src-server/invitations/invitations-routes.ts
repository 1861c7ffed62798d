import type { FastifyInstance } from 'fastify';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { createdInvitationAnswerSchema, invitationSchema, resultsAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { actorOf } from '../tokens/guard.ts';
import type { InvitationsService } from './invitations-service.ts';
import {
  acceptedInvitationAnswerSchema,
  acceptInvitationBody,
  createInvitationBody,
  invitationIdParam,
  invitationLinkAnswerSchema,
  invitationTokenParam,
  listInvitationsQuery,
} from './invitations-schemas.ts';

/** Creating, listing and revoking invitations: registered under /api/v2/admin/invitations, superusers only (app.ts). */
export function invitationsAdminRoutes(app: FastifyInstance, s: { invitations: InvitationsService; settings: SettingsService }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: invitations'], security: SIGNED_IN };

  // '' and '/' as two routes of their own (not Fastify's prefix-slash pair, which shares one route object), so the document lists both.
  for (const path of ['', '/']) {
    api.post(
      path,
      {
        prefixTrailingSlash: 'slash',
        schema: {
          summary: 'Create a single-use invitation link (the token is returned once)',
          ...doc,
          body: optionalBody(createInvitationBody),
          response: { 201: createdInvitationAnswerSchema },
        },
      },
      async (request, reply) => {
        const {
          invitation,
          token,
          path: link,
        } = await s.invitations.create(actorOf(request), {
          expiresInHours: request.body.expires_in_hours,
          grantStaff: request.body.grant_staff,
          note: request.body.note,
        });
        // The whole link when the server knows the address people use (PUBLIC_URL); otherwise the caller puts its own address in front.
        const { PUBLIC_URL } = await s.settings.values();
        return reply.status(201).send({ ...invitation, token, path: link, url: PUBLIC_URL ? `${PUBLIC_URL}${link}` : null });
      },
    );
    api.get(
      path,
      {
        prefixTrailingSlash: 'slash',
        schema: {
          summary: 'List invitations: pending (default) or all',
          ...doc,
          querystring: listInvitationsQuery,
          response: { 200: resultsAnswerSchema(invitationSchema) },
        },
      },
      async (request) => ({ results: await s.invitations.list({ status: request.query.status }) }),
    );
  }
  api.delete('/:id', { schema: { summary: 'Revoke an invitation', ...doc, params: invitationIdParam, response: { 200: invitationSchema } } }, async (request) =>
    s.invitations.revoke(actorOf(request), request.params.id),
  );
}

/** What someone holding a link may do: look at it, and turn it into an account (even while sign-up is closed). */
export function invitationsPublicRoutes(app: FastifyInstance, s: { invitations: InvitationsService }): void {
  const api = zodRoutes(app);
  const tags = ['registration'];

  api.get(
    '/api/v2/auth/invitations/:token',
    { schema: { summary: 'Whether an invitation link can still be used', tags, params: invitationTokenParam, response: { 200: invitationLinkAnswerSchema } } },
    async (request) => {
      const { status, invitation, organization, role } = await s.invitations.inspect(request.params.token);
      // Anonymous callers learn what the link offers (an organization's id and name included), never who made it or who used it.
      return {
        status,
        invitation: invitation && { expires_at: invitation.expires_at, grant_staff: invitation.grant_staff, note: invitation.note },
        organization,
        role,
      };
    },
  );

  api.post(
    '/api/v2/auth/invitations/accept',
    { schema: { summary: 'Create an account from an invitation link', tags, body: acceptInvitationBody, response: { 201: acceptedInvitationAnswerSchema } } },
    async (request, reply) => {
      const { token, ...input } = request.body;
      const result = await s.invitations.accept(token, input, request.ip);
      return reply.status(201).send({
        user: result.user,
        key: { ...result.key.key, id: result.key.id, secret: result.key.secret, authorization: result.key.authorization },
        token: result.token,
        organization: result.organization,
      });
    },
  );
}
