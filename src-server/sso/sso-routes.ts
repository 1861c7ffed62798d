import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { resultsAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { ssoProviderInputSchema, ssoProviderPatchSchema, ssoProviderSchema, ssoTestResultSchema } from '../../src-shared/sso-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf } from '../tokens/guard.ts';
import { orgSlugParam } from '../../src-shared/org-schemas.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { SsoProvidersService, SsoScope } from './sso-providers-service.ts';

type SsoRouteServices = { ssoProviders: SsoProvidersService; settings: SettingsService };

const nameParam = z.string().min(1).max(64);
const deleted = { 204: z.undefined().meta({ description: 'Done: no body' }) };

/** This server's address as people reach it: PUBLIC_URL, else the address of this request. */
export async function baseUrlOf(request: FastifyRequest, settings: Pick<SettingsService, 'values'>): Promise<string> {
  return (await settings.values()).PUBLIC_URL || `${request.protocol}://${request.host}`;
}

/**
 * One registration of an IdP's routes, site-wide (under /api/v2/admin,
 * superusers) and per organization (under /api/v2/organizations/:slug, its
 * admins): the service judges who may act either way. No answer carries the
 * client secret, only `has_client_secret`.
 */
function providerRoutes(app: FastifyInstance, s: SsoRouteServices, base: string, scopeOf: (params: Record<string, string>) => SsoScope, tags: string[]) {
  const api = zodRoutes(app);
  const doc = { tags, security: SIGNED_IN };
  const where = base.includes(':slug') ? z.strictObject({ slug: orgSlugParam }) : z.strictObject({});
  const named = where.extend({ name: nameParam });
  api.get(
    base,
    { schema: { summary: 'List single sign-on (OIDC) IdPs', ...doc, params: where, response: { 200: resultsAnswerSchema(ssoProviderSchema) } } },
    async (request) => ({
      results: await s.ssoProviders.list(actorOf(request), scopeOf(request.params)),
    }),
  );
  api.post(
    base,
    {
      schema: {
        summary: 'Add an IdP: its discovery document is read first; the client secret is stored encrypted and never shown again',
        ...doc,
        params: where,
        body: ssoProviderInputSchema,
        response: { 201: ssoProviderSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await s.ssoProviders.add(actorOf(request), scopeOf(request.params), request.body)),
  );
  api.get(`${base}/:name`, { schema: { summary: 'One IdP', ...doc, params: named, response: { 200: ssoProviderSchema } } }, async (request) =>
    s.ssoProviders.get(actorOf(request), scopeOf(request.params), request.params.name),
  );
  api.patch(
    `${base}/:name`,
    {
      schema: {
        summary: 'Change an IdP (not its name, which is in its redirect URI); client_secret null removes it',
        ...doc,
        params: named,
        body: ssoProviderPatchSchema,
        response: { 200: ssoProviderSchema },
      },
    },
    async (request) => s.ssoProviders.update(actorOf(request), scopeOf(request.params), request.params.name, request.body),
  );
  api.delete(
    `${base}/:name`,
    { schema: { summary: 'Remove an IdP and its pending sign-ins (linked identities stay, unlinked from it)', ...doc, params: named, response: deleted } },
    async (request, reply) => {
      await s.ssoProviders.remove(actorOf(request), scopeOf(request.params), request.params.name);
      return reply.status(204).send();
    },
  );
  api.post(
    `${base}/:name/test`,
    {
      schema: {
        summary: 'Test connection: discovery read, the key set fetched, the authorization URL built',
        ...doc,
        params: named,
        body: optionalBody(z.strictObject({})),
        response: { 200: ssoTestResultSchema },
      },
    },
    async (request) => s.ssoProviders.test(actorOf(request), scopeOf(request.params), request.params.name, await baseUrlOf(request, s.settings)),
  );
}

export function adminSsoRoutes(app: FastifyInstance, s: SsoRouteServices): void {
  providerRoutes(app, s, '/sso/providers', () => ({ org: null }), ['admin: single sign-on']);
}

export function orgSsoRoutes(app: FastifyInstance, s: SsoRouteServices): void {
  providerRoutes(app, s, '/:slug/sso/providers', (params) => ({ org: String(params.slug) }), ['organizations: single sign-on']);
}
