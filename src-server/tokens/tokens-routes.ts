import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { parseInput } from '../lib/validate.ts';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { parsePersonalKeyHeader } from '../keys/keys-service.ts';
import { tokenAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { PERSONAL_KEY, SIGNED_IN } from '../openapi/openapi.ts';
import { requirePrincipal } from './guard.ts';
import type { JwtSigner } from './jwt.ts';
import type { TokensService } from './tokens-service.ts';
import { jwksAnswerSchema, loginBody, orgBody, signInAnswerSchema, switchAnswerSchema, switchBody, switchParams, tokenBody } from './tokens-schemas.ts';

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

/**
 * Each user has a personal organization whose slug is the username, named
 * case-insensitively (as the switch route below accepts it).
 */
function isOwnOrganization(slug: string, username: string): boolean {
  return slug.toLowerCase() === username.toLowerCase();
}

/**
 * The `active_organization` of a sign-in. pygraphistry refuses the sign-in
 * when the slug differs from the `org_name` it sent, and then checks
 * `is_found` and `is_member` itself, so the slug echoes the spelling sent
 * (`ADMIN` for user `admin`): the same spelling the switch route accepts.
 */
function activeOrganization(username: string, orgName: string | null | undefined) {
  if (!orgName) return { slug: username, is_found: true, is_member: true };
  const mine = isOwnOrganization(orgName, username);
  return { slug: orgName, is_found: mine, is_member: mine };
}

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
  const signIn = async (body: z.output<typeof loginBody>, ip: string) => {
    const { token, user } = await s.tokens.passwordLogin(body.username, body.password, ip, { requireSuperuser: body.require_superuser ?? false });
    return { token, active_organization: activeOrganization(user.username, body.org_name) };
  };
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
    const { token, user } = await s.tokens.exchangeKey(key.id, key.secret, request.ip);
    return { token, active_organization: activeOrganization(user.username, orgName) };
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

  const refreshSchema = { summary: 'Refresh a JWT within the refresh window', tags, body: tokenBody, response: { 200: tokenAnswerSchema } };
  for (const path of ['/api/v2/auth/token/refresh', '/api-token-refresh/']) {
    api.post(path, { config: drf, schema: refreshSchema }, async (request) => ({ token: (await s.tokens.refresh(request.body.token)).token }));
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
        summary: "Switch the active organization (each user's personal org is their username)",
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
      if (!isOwnOrganization(slug, requirePrincipal(request).user.username)) {
        throw new AppError('ORG_NOT_FOUND', 'No such organization, or you are not a member of it.');
      }
      return { status: 'OK' as const };
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
