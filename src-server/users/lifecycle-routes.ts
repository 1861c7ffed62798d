import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { bulkActiveSchema } from '../../src-shared/answer-schemas.ts';
import { bulkLifecycleBody, signOutBody, userLifecycleAnswerSchema } from '../../src-shared/lifecycle-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf } from '../tokens/guard.ts';
import { idParam } from './users-schemas.ts';
import type { LifecycleService } from './lifecycle-service.ts';

/** Offboarding actions on users (users/lifecycle-service.ts): registered under /api/v2/admin, superusers only (app.ts). */
export function lifecycleRoutes(app: FastifyInstance, s: { lifecycle: LifecycleService }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: users'], security: SIGNED_IN };
  // No options: an empty JSON object, or no body at all.
  const noOptions = optionalBody(z.strictObject({}));
  const one = { ...doc, params: idParam, response: { 200: userLifecycleAnswerSchema } };

  api.post(
    '/users/:id/sign-out',
    {
      schema: {
        summary: 'Sign a user out everywhere: ends their sessions, JWTs and refreshes on the next request (keys too with `revoke_keys`)',
        ...one,
        body: optionalBody(signOutBody),
      },
    },
    async (request) => s.lifecycle.act(actorOf(request), request.params.id, 'sign_out', { revokeKeys: request.body.revoke_keys ?? false }),
  );
  api.post(
    '/users/:id/require-password-change',
    {
      schema: {
        summary: 'Require a password change at the next sign-in: password sign-in answers PASSWORD_CHANGE_REQUIRED until the user picks a new one',
        ...one,
        body: noOptions,
      },
    },
    async (request) => s.lifecycle.act(actorOf(request), request.params.id, 'require_password_change'),
  );
  api.post(
    '/users/:id/keys/revoke-all',
    { schema: { summary: "Revoke every one of a user's usable personal keys", ...one, body: noOptions } },
    async (request) => s.lifecycle.act(actorOf(request), request.params.id, 'revoke_keys'),
  );
  api.post(
    '/users/lifecycle',
    {
      schema: {
        summary: 'One lifecycle action (sign_out, require_password_change, revoke_keys) on up to 500 users, each on its own: changed, unchanged or failed',
        ...doc,
        body: bulkLifecycleBody,
        response: { 200: bulkActiveSchema },
      },
    },
    async (request) => s.lifecycle.bulk(actorOf(request), request.body.ids, request.body.action, { revokeKeys: request.body.revoke_keys ?? false }),
  );
}
