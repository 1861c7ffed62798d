import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { toUser } from './users-repo.ts';
import { changePasswordBody, meAnswerSchema } from './users-schemas.ts';
import { createKeyBody, expiryFrom, keysListQuery, ownKeyParams } from '../keys/keys-schemas.ts';
import { mintedAnswerSchema, newKeyAnswerSchema, pageAnswerSchema, personalKeySchema } from '../../src-shared/answer-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import type { Clock } from '../lib/clock.ts';
import type { KeysService } from '../keys/keys-service.ts';
import { actorOf, requirePrincipal } from '../tokens/guard.ts';
import type { TokensService } from '../tokens/tokens-service.ts';
import type { UsersService } from './users-service.ts';

/** Self-service for any active account, registered under /api/v2/me (app.ts): who am I, my keys, a JWT for API use. */
export function meRoutes(app: FastifyInstance, s: { tokens: TokensService; users: UsersService; keys: KeysService; clock: Clock }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['me'], security: SIGNED_IN };

  // '' and '/' as two routes of their own (not Fastify's prefix-slash pair, which shares one route object), so the document lists both.
  for (const path of ['', '/']) {
    api.get(path, { prefixTrailingSlash: 'slash', schema: { summary: 'The caller', ...doc, response: { 200: meAnswerSchema } } }, async (request) => {
      const p = requirePrincipal(request);
      return { ...toUser(p.user), auth: { via: p.via, key_id: p.keyId } };
    });
  }

  api.get(
    '/keys',
    {
      schema: {
        summary: "The caller's personal keys, usable first, paged (`page`, `page_size`): {count, page, page_size, results}",
        ...doc,
        querystring: keysListQuery,
        response: { 200: pageAnswerSchema(personalKeySchema) },
      },
    },
    async (request) => s.keys.page(Number(requirePrincipal(request).user.id), { page: request.query.page, pageSize: request.query.page_size }),
  );

  api.post(
    '/keys',
    {
      schema: { summary: 'Create a personal key (the secret is shown once)', ...doc, body: optionalBody(createKeyBody), response: { 201: newKeyAnswerSchema } },
    },
    async (request, reply) => {
      const user = toUser(requirePrincipal(request).user);
      const created = await s.keys.issue(actorOf(request), user, { name: request.body.name ?? 'api', expiresAt: expiryFrom(request.body, s.clock.now()) });
      return reply.status(201).send({ ...created.key, secret: created.secret, authorization: created.authorization });
    },
  );

  api.delete(
    '/keys/:keyId',
    { schema: { summary: 'Revoke one of your keys', ...doc, params: ownKeyParams, response: { 200: personalKeySchema } } },
    async (request) => s.keys.revoke(actorOf(request), toUser(requirePrincipal(request).user), request.params.keyId),
  );

  api.post(
    '/password',
    {
      schema: {
        summary: 'Change your password (the current one is required; ends your other tokens and sessions, returns a fresh JWT)',
        ...doc,
        body: changePasswordBody,
        response: { 200: mintedAnswerSchema },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const epoch = await s.users.changeOwnPassword(actorOf(request), Number(p.user.id), request.body.current_password, request.body.password);
      const { token, claims } = await s.tokens.issue({ ...p.user, auth_epoch: epoch }, p.keyId ? { keyId: p.keyId } : {});
      return { token, expires_at: new Date(claims.exp * 1000).toISOString() };
    },
  );

  api.post(
    '/token',
    { schema: { summary: 'Mint a JWT for API use', ...doc, body: optionalBody(z.strictObject({})), response: { 200: mintedAnswerSchema } } },
    async (request) => {
      const p = requirePrincipal(request);
      const { token, claims } = await s.tokens.issue(p.user, p.keyId ? { keyId: p.keyId } : {});
      return { token, expires_at: new Date(claims.exp * 1000).toISOString() };
    },
  );
}
