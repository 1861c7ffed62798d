import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { parseInput } from '../lib/validate.ts';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { parsePersonalKeyHeader } from '../keys/keys-service.ts';
import { tokenAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { PERSONAL_KEY, SIGNED_IN } from '../openapi/openapi.ts';
import { activeOrganizationSchema } from '../../src-shared/org-schemas.ts';
import { requirePrincipal } from './guard.ts';
import type { JwtSigner } from './jwt.ts';
import type { IssuedToken, TokensService } from './tokens-service.ts';
import {
  jwksAnswerSchema,
  loginBody,
  orgBody,
  refreshBody,
  signInAnswerSchema,
  switchAnswerSchema,
  switchBody,
  switchParams,
  tokenBody,
} from './tokens-schemas.ts';

/**
 * Graphistry's token API, path for path (trailing slashes included) as its
 * official clients call it: pygraphistry signs in with a password at
 * `/api-token-auth/`, exchanges keys with GET `/api/v2/auth/pkey/jwt/` (a
 * JSON body on a GET), refreshes at `/api/v2/auth/token/refresh` and
 * verifies at `/api-token-verify/` (graphistry/arrow_uploader.py); the JS
 * client signs in at `/api/v2/auth/token/generate`; older clients and
 * notebooks use the other djangorestframework-jwt paths `/api-token-*`.
 * Errors carry DRF's `non_field_errors` as well as `{error, message}`.
 */
const drf = { drfErrors: true } as const;
const optionalOrgBody = optionalBody(orgBody);
const healthAnswer = z.literal('ok');
const BODY_LIMIT = 64 * 1024;

/** A sign-in's answer: the token, and the organization it is for (tokens/active-organization.ts). */
const answer = (issued: IssuedToken) => ({ token: issued.token, active_organization: issued.activeOrganization });

/** Graphistry's JS client sends a JSON body even with GET; Fastify skips GET bodies, so read it here (bounded). */
async function readGetBody(request: FastifyRequest): Promise<unknown> {
  const type = String(request.headers['content-type'] ?? '');
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!type.includes('json') || !hasBody) return {};
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large (64 KiB at most).');
  if (Number(request.headers['content-length'] ?? 0) > BODY_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > BODY_LIMIT) throw tooLarge();
    chunks.push(buf);
  }
  // Decode once at the end so a multi-byte character split across chunks survives.
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new AppError('INVALID_JSON', 'The request body is not valid JSON.');
  }
}

export function tokensRoutes(app: FastifyInstance, s: { tokens: TokensService; jwt: JwtSigner }): void {
  const api = zodRoutes(app);
  const tags = ['tokens'];
  const signIn = async (body: z.output<typeof loginBody>, ip: string) =>
    answer(await s.tokens.passwordLogin(body.username, body.password, ip, { requireSuperuser: body.require_superuser ?? false, orgName: body.org_name }));
  const signInSchema = { tags, body: loginBody, response: { 200: signInAnswerSchema } };

  api.post('/api-token-auth/', { config: drf, schema: { summary: 'Password to JWT (djangorestframework-jwt path)', ...signInSchema } }, async (request) =>
    signIn(request.body, request.ip),
  );
  // The JS client reads the body even on failure, so every answer here is JSON (the error handler guarantees it).
  api.post('/api/v2/auth/token/generate', { config: drf, schema: { summary: 'Password to JWT', ...signInSchema } }, async (request) =>
    signIn(request.body, request.ip),
  );

  // The key is checked before the body is judged, as before schemas: a request without one is a 401 whatever it sends.
  const keyOf = (request: FastifyRequest) => {
    const key = parsePersonalKeyHeader(request.headers.authorization);
    if (!key) throw new AppError('UNAUTHENTICATED', 'Send Authorization: PersonalKey <id>:<secret>.', { headers: { 'WWW-Authenticate': 'PersonalKey' } });
    return key;
  };
  const pkeyExchange = async (request: FastifyRequest, orgName: string | null | undefined) => {
    const key = keyOf(request);
    return answer(await s.tokens.exchangeKey(key.id, key.secret, request.ip, { orgName }));
  };
  const pkeySchema = {
    summary: 'Personal key to JWT (Authorization: PersonalKey <id>:<secret>)',
    tags,
    security: PERSONAL_KEY,
    response: { 200: signInAnswerSchema },
  };
  api.post(
    '/api/v2/auth/pkey/jwt/',
    { config: drf, schema: { ...pkeySchema, body: optionalOrgBody }, preValidation: async (request) => void keyOf(request) },
    async (request) => pkeyExchange(request, request.body.org_name),
  );
  // Fastify reads no body on a GET (and takes no body schema there), so this route reads and judges it itself; the document shows the same schema.
  api.get('/api/v2/auth/pkey/jwt/', { config: { ...drf, documented: { body: optionalOrgBody } }, schema: pkeySchema }, async (request) => {
    const body = await readGetBody(request);
    keyOf(request);
    return pkeyExchange(request, parseInput(optionalOrgBody, body, 'body').org_name);
  });

  // Clients read `token` only; `active_organization` says which organization the new token is for.
  const refreshSchema = { summary: 'Refresh a JWT within the refresh window', tags, body: refreshBody, response: { 200: signInAnswerSchema } };
  for (const path of ['/api/v2/auth/token/refresh', '/api-token-refresh/']) {
    api.post(path, { config: drf, schema: refreshSchema }, async (request) =>
      answer(await s.tokens.refresh(request.body.token, { orgName: request.body.org_name, ip: request.ip })),
    );
  }

  const verifySchema = { summary: 'Verify a JWT (2xx when valid)', tags, body: tokenBody, response: { 200: tokenAnswerSchema } };
  for (const path of ['/api-token-verify/', '/api/v2/auth/token/verify', '/api/v2/auth/token/verify/']) {
    api.post(path, { config: drf, schema: verifySchema }, async (request) => {
      await s.tokens.verify(request.body.token);
      return { token: request.body.token };
    });
  }

  api.post(
    '/api/v2/o/:slug/switch/',
    {
      config: drf,
      schema: {
        summary: "Switch the active organization of this token's session (each user's personal org is their username)",
        description:
          'Members switch (a refreshed token keeps the organization); an existing organization the caller is not a member of is 403 ORG_NOT_MEMBER; ' +
          'an unknown one is 404 ORG_NOT_FOUND. With a personal key, membership is checked and nothing is stored.',
        tags,
        security: SIGNED_IN,
        // pygraphistry posts a form.
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: switchParams,
        body: switchBody,
        response: { 200: switchAnswerSchema },
      },
      // Who is asking is settled before what they sent is judged, as before schemas: an anonymous caller learns nothing from a 400.
      preValidation: async (request) => {
        request.principal = await s.tokens.authenticate(request.headers.authorization, request.ip);
      },
    },
    async (request) => {
      const { slug } = request.params;
      if (request.body.slug !== undefined && request.body.slug !== slug) {
        throw new AppError('VALIDATION', 'The slug in the form does not match the one in the path.', {
          fields: [{ field: 'slug', message: 'does not match the path' }],
        });
      }
      const { user, claims } = requirePrincipal(request);
      await s.tokens.activeOrgs.switchTo(user, claims, slug, request.ip);
      return { status: 'OK' as const };
    },
  );

  // Beside the switch that sets it. Static, so it wins over /api/v2/organizations/:slug ('active' is a reserved slug).
  api.get(
    '/api/v2/organizations/active',
    {
      schema: {
        summary: "This token's active organization: the one its session switched to, else the one it was issued for, else the personal one",
        tags: ['organizations'],
        security: SIGNED_IN,
        response: { 200: activeOrganizationSchema },
      },
      onRequest: async (request) => {
        request.principal = await s.tokens.authenticate(request.headers.authorization, request.ip);
      },
    },
    async (request) => {
      const { user, claims } = requirePrincipal(request);
      return s.tokens.activeOrgs.describe(user, claims);
    },
  );

  api.get(
    '/ht/',
    { schema: { summary: 'Health check', tags: ['health'], response: { 200: { content: { 'text/plain': { schema: healthAnswer } } } } } },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok'),
  );
  // jose types every member of a JWK as optional; the answer's schema checks that each is there.
  api.get(
    '/.well-known/jwks.json',
    { schema: { summary: 'Public keys that verify the JWTs this server signs', tags, response: { 200: jwksAnswerSchema } } },
    async () => s.jwt.jwks() as z.output<typeof jwksAnswerSchema>,
  );
}
