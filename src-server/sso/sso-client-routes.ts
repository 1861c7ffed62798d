import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { POLL_HOLD_MS, type SsoLoginService } from './sso-login-service.ts';
import { baseUrlOf } from './sso-routes.ts';

/** pygraphistry posts a form (`client-type=pygraphistry`); the field is read by nobody, so anything else in it is let be. */
const loginBody = optionalBody(z.looseObject({ 'client-type': z.string().max(100).optional() }));
const stateParams = z.strictObject({ state: z.string().min(1).max(200) });
const orgParams = z.strictObject({ slug: z.string().min(1).max(200) });
const orgIdpParams = orgParams.extend({ idp: z.string().min(1).max(64) });

const startedAnswer = z.object({
  status: z.literal('OK'),
  data: z.object({
    state: z.string().meta({ description: 'The handle to poll GET /api/v2/o/sso/oidc/jwt/<state>/ with' }),
    auth_url: z.string().meta({ description: "The IdP's authorization URL: the person opens it and signs in" }),
  }),
});
const tokenAnswer = z.object({
  status: z.literal('OK'),
  data: z.object({
    token: z.string(),
    active_organization: z.object({ slug: z.string(), is_found: z.boolean(), is_member: z.boolean() }),
  }),
});

/**
 * Single sign-on for Graphistry's Python client, as it calls it
 * (`graphistry/arrow_uploader.py`, sso_login and sso_get_token): the
 * site-wide start, and the poll that answers the JWT once the person has
 * signed in at the IdP in a browser.
 */
export function ssoClientRoutes(app: FastifyInstance, s: { ssoLogin: SsoLoginService; settings: SettingsService }): void {
  const api = zodRoutes(app);
  const tags = ['single sign-on (pygraphistry)'];
  // Errors carry status "ERR" too: the client raises its message then, rather than the whole body.
  const config = { statusErrors: true } as const;
  api.post(
    '/api/v2/g/sso/oidc/login/',
    {
      config,
      schema: {
        summary: 'Start a site-wide single sign-on for a client: the IdP URL to open and the state to poll with',
        description: 'With no IdP named, the one enabled site-wide IdP; several enabled are SSO_IDP_REQUIRED naming them.',
        tags,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: loginBody,
        response: { 200: startedAnswer },
      },
    },
    async (request) => {
      const { url, state } = await s.ssoLogin.beginClient(null, { baseUrl: await baseUrlOf(request, s.settings), ip: request.ip });
      return { status: 'OK' as const, data: { state, auth_url: url } };
    },
  );
  // An organization's IdP: the organization's one enabled IdP, or the one named. The slug is `:slug`, as in /api/v2/o/:slug/switch/.
  for (const path of ['/api/v2/o/:slug/sso/oidc/login/', '/api/v2/o/:slug/sso/oidc/login/:idp/'] as const) {
    api.post(
      path,
      {
        config,
        schema: {
          summary: path.includes(':idp')
            ? "Start single sign-on at one of an organization's IdPs for a client"
            : "Start single sign-on at an organization's IdP for a client (its one enabled IdP)",
          description:
            'The token the poll answers is for the organization; someone not in it joins when it is self_join, else is refused (SSO_ORG_INVITE_REQUIRED).',
          tags,
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          params: path.includes(':idp') ? orgIdpParams : orgParams,
          body: loginBody,
          response: { 200: startedAnswer },
        },
      },
      async (request) => {
        const params = request.params as { slug: string; idp?: string };
        const { url, state } = await s.ssoLogin.beginClient(params.idp ?? null, {
          baseUrl: await baseUrlOf(request, s.settings),
          ip: request.ip,
          org: params.slug,
        });
        return { status: 'OK' as const, data: { state, auth_url: url } };
      },
    );
  }
  api.get(
    '/api/v2/o/sso/oidc/jwt/:state/',
    {
      config,
      schema: {
        summary: "A client's single sign-on token: held open until the sign-in at the IdP ends (about 50 s at most), then answered once",
        description: 'SSO_PENDING (408) when it has not ended by then; SSO_STATE_INVALID for an unknown, used, failed or expired state.',
        tags,
        params: stateParams,
        response: { 200: tokenAnswer },
      },
    },
    async (request, reply) => {
      // A client that hangs up stops the wait (the answer's 'close' before it is written: the connection ended).
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      // The server closes a socket silent for REQUEST_TIMEOUT (30 s by default); this answer is meant to take longer.
      request.raw.socket?.setTimeout?.(POLL_HOLD_MS + 10_000); // (an injected request's stand-in socket has no timer)
      const { token, user, orgSlug } = await s.ssoLogin.takeToken(request.params.state, { signal: gone.signal });
      // pygraphistry requires the slug to equal the org_name it sent, and switches to it.
      return { status: 'OK' as const, data: { token, active_organization: { slug: orgSlug ?? user.username, is_found: true, is_member: true } } };
    },
  );
}
