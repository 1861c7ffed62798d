import type { FastifyInstance } from 'fastify';
import { zodRoutes } from '../http/route-schemas.ts';
import { createdUserAnswerSchema, pageAnswerSchema, resultsAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { membershipSchema, orgMemberSchema, organizationSchema } from '../../src-shared/org-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf, requirePrincipal } from '../tokens/guard.ts';
import { idParam } from '../users/users-schemas.ts';
import { addMemberBody, createOrgUserBody, listOrgsQuery, slugParams } from './orgs-schemas.ts';
import { createOrgBody } from './orgs-service.ts';
import { organizationRoutes, type OrgRouteServices } from './orgs-routes.ts';

/** A user made in an organization: the account, its first key (shown once) and the membership. */
const createdOrgUserAnswerSchema = createdUserAnswerSchema.extend({ member: orgMemberSchema });

/**
 * Every organization, for superusers: registered under /api/v2/admin
 * (app.ts), beside the users they hold; also each user's memberships.
 */
export function adminOrgsRoutes(app: FastifyInstance, s: OrgRouteServices): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: organizations'], security: SIGNED_IN };

  api.get(
    '/organizations',
    {
      schema: {
        summary: 'List organizations: search (id or name), ordering, paging, with member and active-admin counts',
        ...doc,
        querystring: listOrgsQuery,
        response: { 200: pageAnswerSchema(organizationSchema) },
      },
    },
    async (request) => s.orgs.list(Number(requirePrincipal(request).user.id), request.query),
  );
  api.post(
    '/organizations',
    {
      schema: {
        summary: 'Create an organization; its first admin is `admin_user_id`, or you',
        ...doc,
        body: createOrgBody,
        response: { 201: organizationSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await s.orgs.create(actorOf(request), request.body)),
  );
  organizationRoutes(api, '/organizations', { doc, s, audience: 'admin' });
  api.post(
    '/organizations/:slug/members',
    {
      schema: {
        summary: 'Add an existing user (as a member unless `role` says admin)',
        ...doc,
        params: slugParams,
        body: addMemberBody,
        response: { 201: orgMemberSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await s.orgMembers.add(actorOf(request), request.params.slug, request.body.user_id, request.body.role)),
  );
  api.post(
    '/organizations/:slug/users',
    {
      schema: {
        summary: 'Create a user in the organization: the account, its first key (returned once) and the membership, in one transaction',
        ...doc,
        params: slugParams,
        body: createOrgUserBody,
        response: { 201: createdOrgUserAnswerSchema },
      },
    },
    async (request, reply) => {
      const { role, ...input } = request.body;
      const { user, key, member } = await s.orgMembers.createUser(actorOf(request), request.params.slug, input, role);
      return reply.status(201).send({ user, key: { ...key.key, secret: key.secret, authorization: key.authorization }, member });
    },
  );
  api.get(
    '/users/:id/organizations',
    {
      schema: { summary: 'The organizations a user is in, with their role', ...doc, params: idParam, response: { 200: resultsAnswerSchema(membershipSchema) } },
    },
    async (request) => ({ results: await s.orgs.membershipsOf(request.params.id) }),
  );
}
