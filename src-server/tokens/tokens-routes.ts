import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { parseInput } from '../http/validate.ts';
import { parsePersonalKeyHeader } from '../keys/keys-service.ts';
import type { Services } from '../services.ts';

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
const loginBody = z.object({
  username: z.string().min(1, 'is required').max(254),
  password: z.string().min(1, 'is required').max(4096),
  org_name: z.string().max(150).optional().nullable(),
  /** Sent by the admin console: a sign-in that is not a superuser's is refused, audited as a failure, and leaves last login alone. */
  require_superuser: z.boolean().optional(),
});
const tokenBody = z.object({ token: z.string().min(1, 'is required').max(4096) });
const orgBody = z.object({ org_name: z.string().max(150).optional().nullable() }).passthrough();

const drf = { drfErrors: true } as const;
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

export function tokensRoutes(app: FastifyInstance, s: Services): void {
  const passwordLogin = async (request: FastifyRequest) => {
    const body = parseInput(loginBody, request.body, 'body');
    const { token, user } = await s.tokens.passwordLogin(body.username, body.password, request.ip, { requireSuperuser: body.require_superuser ?? false });
    return { token, user, orgName: body.org_name };
  };

  app.post('/api-token-auth/', { config: drf, schema: { summary: 'Password to JWT (djangorestframework-jwt path)', tags: ['tokens'] } }, async (request) => {
    const { token, user, orgName } = await passwordLogin(request);
    return { token, active_organization: activeOrganization(user.username, orgName) };
  });

  // The JS client reads the body even on failure, so every answer here is JSON (the error handler guarantees it).
  app.post('/api/v2/auth/token/generate', { config: drf, schema: { summary: 'Password to JWT', tags: ['tokens'] } }, async (request) => {
    const { token, user, orgName } = await passwordLogin(request);
    return { token, active_organization: activeOrganization(user.username, orgName) };
  });

  const pkeyExchange = async (request: FastifyRequest, body: unknown) => {
    const key = parsePersonalKeyHeader(request.headers.authorization);
    if (!key) {
      throw new AppError('UNAUTHENTICATED', 'Send Authorization: PersonalKey <id>:<secret>.', { headers: { 'WWW-Authenticate': 'PersonalKey' } });
    }
    const { org_name } = parseInput(orgBody, body ?? {}, 'body');
    const { token, user } = await s.tokens.exchangeKey(key.id, key.secret, request.ip);
    return { token, active_organization: activeOrganization(user.username, org_name) };
  };
  const pkeySchema = { summary: 'Personal key to JWT (Authorization: PersonalKey <id>:<secret>)', tags: ['tokens'] };
  app.post('/api/v2/auth/pkey/jwt/', { config: drf, schema: pkeySchema }, async (request) => pkeyExchange(request, request.body));
  app.get('/api/v2/auth/pkey/jwt/', { config: drf, schema: pkeySchema }, async (request) => pkeyExchange(request, await readGetBody(request)));

  const refresh = async (request: FastifyRequest) => {
    const { token } = parseInput(tokenBody, request.body, 'body');
    return { token: (await s.tokens.refresh(token)).token };
  };
  const refreshSchema = { summary: 'Refresh a JWT within the refresh window', tags: ['tokens'] };
  app.post('/api/v2/auth/token/refresh', { config: drf, schema: refreshSchema }, refresh);
  app.post('/api-token-refresh/', { config: drf, schema: refreshSchema }, refresh);

  const verify = async (request: FastifyRequest) => {
    const { token } = parseInput(tokenBody, request.body, 'body');
    await s.tokens.verify(token);
    return { token };
  };
  const verifySchema = { summary: 'Verify a JWT (2xx when valid)', tags: ['tokens'] };
  for (const path of ['/api-token-verify/', '/api/v2/auth/token/verify', '/api/v2/auth/token/verify/']) {
    app.post(path, { config: drf, schema: verifySchema }, verify);
  }

  app.post<{ Params: { slug: string } }>(
    '/api/v2/o/:slug/switch/',
    { config: drf, schema: { summary: "Switch the active organization (each user's personal org is their username)", tags: ['tokens'] } },
    async (request) => {
      const principal = await s.tokens.authenticate(request.headers.authorization, request.ip);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const slug = request.params.slug;
      if (body.slug !== undefined && body.slug !== slug) {
        throw new AppError('VALIDATION', 'The slug in the form does not match the one in the path.', { fields: [{ field: 'slug', message: 'does not match the path' }] });
      }
      if (!isOwnOrganization(slug, principal.user.username)) {
        throw new AppError('ORG_NOT_FOUND', 'No such organization, or you are not a member of it.');
      }
      return { status: 'OK' };
    },
  );

  app.get('/ht/', { schema: { summary: 'Health check', tags: ['health'] } }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
  app.get('/.well-known/jwks.json', { schema: { summary: 'Public keys that verify the JWTs this server signs', tags: ['tokens'] } }, async () => s.jwt.jwks());
}
