import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { pageAnswerSchema, resultsAnswerSchema } from '../../src-shared/answer-schemas.ts';
import {
  createdOrgInvitationAnswerSchema,
  joinOrgInputSchema,
  myOrganizationsSchema,
  orgInputSchema,
  orgInvitationInputSchema,
  orgInvitationSchema,
  orgMemberSchema,
  orgPatchSchema,
  organizationSchema,
} from '../../src-shared/org-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf, requirePrincipal } from '../tokens/guard.ts';
import { listInvitationsQuery } from '../invitations/invitations-schemas.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { emptyBody, listMembersQuery, memberParams, orgInvitationParams, setRoleBody, slugParams } from './orgs-schemas.ts';
import type { OrgsService } from './orgs-service.ts';
import type { OrgMembersService } from './org-members-service.ts';
import type { OrgInvitationsService } from './org-invitations-service.ts';

/** What an organization's routes call (app.ts passes every service). */
export type OrgRouteServices = { orgs: OrgsService; orgMembers: OrgMembersService; orgInvitations: OrgInvitationsService; settings: SettingsService };

const deleted = { 204: z.undefined().meta({ description: 'Done: no body' }) };

/**
 * Self-service organizations for any active account, registered under
 * /api/v2/organizations (app.ts): mine, make one, and for an organization's
 * members and admins what their role allows (orgs/org-access.ts).
 */
export function orgsRoutes(app: FastifyInstance, s: OrgRouteServices): void {
  const api = zodRoutes(app);
  const doc = { tags: ['organizations'], security: SIGNED_IN };
  // One path, without the final slash (not Fastify's prefix pair).
  api.get(
    '',
    {
      prefixTrailingSlash: 'no-slash',
      schema: { summary: 'Your organizations: the personal one and those you are in', ...doc, response: { 200: myOrganizationsSchema } },
    },
    async (request) => {
      const { user } = requirePrincipal(request);
      return s.orgs.listMine({ id: Number(user.id), username: user.username });
    },
  );
  api.post(
    '',
    {
      prefixTrailingSlash: 'no-slash',
      schema: { summary: 'Create an organization (you become its admin)', ...doc, body: orgInputSchema, response: { 201: organizationSchema } },
    },
    async (request, reply) => reply.status(201).send(await s.orgs.create(actorOf(request), request.body)),
  );
  // A static path beside /:slug ('join' is a reserved slug, src-shared/org-schemas.ts).
  api.post(
    '/join',
    {
      schema: {
        summary: 'Join an organization with an invitation link’s token, as the signed-in user (the link is then used up)',
        ...doc,
        body: joinOrgInputSchema,
        response: { 200: organizationSchema },
      },
    },
    async (request) => s.orgInvitations.join(actorOf(request), request.body.token, request.ip),
  );
  organizationRoutes(api, '', { doc, s, audience: 'self' });
  api.post(
    '/:slug/leave',
    { schema: { summary: 'Leave it (not as its last active admin)', ...doc, params: slugParams, body: optionalBody(emptyBody), response: deleted } },
    async (request, reply) => {
      await s.orgMembers.leave(actorOf(request), request.params.slug);
      return reply.status(204).send();
    },
  );
}

const SUMMARIES = {
  self: {
    get: 'One of your organizations',
    update: 'Rename it or change who may join by single sign-on (its admins)',
    remove: 'Delete it, with its memberships and invitations (its admins)',
    members: 'Its members, by username, paged (`search`, `role`, `page`, `page_size`)',
    setRole: "Change a member's role (its admins; never its last active admin)",
    removeMember: 'Remove a member (its admins; never its last active admin)',
    invite: 'Make a single-use invitation link into it (its admins; the token is returned once)',
    invitations: 'Its invitation links (its admins): pending (default) or all',
    revokeInvitation: 'Withdraw one of its invitation links (its admins)',
  },
  admin: {
    get: 'One organization',
    update: 'Rename an organization or change who may join by single sign-on',
    remove: 'Delete an organization, with its memberships and invitations',
    members: "An organization's members, by username, paged (`search`, `role`, `page`, `page_size`)",
    setRole: "Change a member's role (never the last active admin's)",
    removeMember: 'Remove a member (never the last active admin)',
    invite: 'Make a single-use invitation link into an organization (the token is returned once)',
    invitations: "An organization's invitation links: pending (default) or all",
    revokeInvitation: "Withdraw one of an organization's invitation links",
  },
};

/**
 * One organization's routes under `base` + `/:slug`, the same for its members and
 * admins (/api/v2/organizations) and for superusers (/api/v2/admin/organizations):
 * who may do what is the services' to judge (orgs/org-access.ts), not the path's.
 */
export function organizationRoutes(
  api: ReturnType<typeof zodRoutes>,
  base: string,
  o: { doc: object; s: OrgRouteServices; audience: keyof typeof SUMMARIES },
): void {
  const { doc, s } = o;
  const said = SUMMARIES[o.audience];
  const one = { params: slugParams, response: { 200: organizationSchema } };
  api.get(`${base}/:slug`, { schema: { summary: said.get, ...doc, ...one } }, async (request) => s.orgs.get(actorOf(request), request.params.slug));
  api.patch(`${base}/:slug`, { schema: { summary: said.update, ...doc, ...one, body: orgPatchSchema } }, async (request) =>
    s.orgs.update(actorOf(request), request.params.slug, request.body),
  );
  api.delete(`${base}/:slug`, { schema: { summary: said.remove, ...doc, params: slugParams, response: deleted } }, async (request, reply) => {
    await s.orgs.remove(actorOf(request), request.params.slug);
    return reply.status(204).send();
  });
  api.get(
    `${base}/:slug/members`,
    { schema: { summary: said.members, ...doc, params: slugParams, querystring: listMembersQuery, response: { 200: pageAnswerSchema(orgMemberSchema) } } },
    async (request) => s.orgMembers.list(actorOf(request), request.params.slug, request.query),
  );
  api.patch(
    `${base}/:slug/members/:userId`,
    { schema: { summary: said.setRole, ...doc, params: memberParams, body: setRoleBody, response: { 200: orgMemberSchema } } },
    async (request) => s.orgMembers.setRole(actorOf(request), request.params.slug, request.params.userId, request.body.role),
  );
  api.delete(
    `${base}/:slug/members/:userId`,
    { schema: { summary: said.removeMember, ...doc, params: memberParams, response: deleted } },
    async (request, reply) => {
      await s.orgMembers.remove(actorOf(request), request.params.slug, request.params.userId);
      return reply.status(204).send();
    },
  );
  api.post(
    `${base}/:slug/invitations`,
    {
      schema: {
        summary: said.invite,
        ...doc,
        params: slugParams,
        body: optionalBody(orgInvitationInputSchema),
        response: { 201: createdOrgInvitationAnswerSchema },
      },
    },
    async (request, reply) => {
      const { invitation, token, path } = await s.orgInvitations.create(actorOf(request), request.params.slug, request.body);
      // The whole link when the server knows the address people use (PUBLIC_URL); otherwise the caller puts its own address in front.
      const { PUBLIC_URL } = await s.settings.values();
      return reply.status(201).send({ ...invitation, token, path, url: PUBLIC_URL ? `${PUBLIC_URL}${path}` : null });
    },
  );
  api.get(
    `${base}/:slug/invitations`,
    {
      schema: {
        summary: said.invitations,
        ...doc,
        params: slugParams,
        querystring: listInvitationsQuery,
        response: { 200: resultsAnswerSchema(orgInvitationSchema) },
      },
    },
    async (request) => ({ results: await s.orgInvitations.list(actorOf(request), request.params.slug, { status: request.query.status }) }),
  );
  api.delete(
    `${base}/:slug/invitations/:id`,
    { schema: { summary: said.revokeInvitation, ...doc, params: orgInvitationParams, response: { 200: orgInvitationSchema } } },
    async (request) => s.orgInvitations.revoke(actorOf(request), request.params.slug, request.params.id),
  );
}
