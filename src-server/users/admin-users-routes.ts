import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { optionalBody, zodRoutes } from '../http/route-schemas.ts';
import { createUserBody, idParam, keyParams, listUsersQuery, setActiveBody, setPasswordBody, updateUserBody, userIdsQuery } from './users-schemas.ts';
import { createKeyBody, expiryFrom, keysListQuery } from '../keys/keys-schemas.ts';
import {
  bulkActiveSchema,
  createdUserAnswerSchema,
  matchingIdsSchema,
  newKeyAnswerSchema,
  pageAnswerSchema,
  personalKeySchema,
} from '../../src-shared/answer-schemas.ts';
import { listedUserSchema, userSchema } from '../../src-shared/user-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import type { Clock } from '../lib/clock.ts';
import type { KeysService } from '../keys/keys-service.ts';
import { actorOf } from '../tokens/guard.ts';
import type { UsersService } from './users-service.ts';

/** The admin API's users and their keys: registered under /api/v2/admin, superusers only (app.ts). */
export function adminUsersRoutes(app: FastifyInstance, s: { users: UsersService; keys: KeysService; clock: Clock }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: users'], security: SIGNED_IN };
  const one = { params: idParam, response: { 200: userSchema } };

  api.get(
    '/users',
    {
      schema: {
        summary: 'List users: search, filters, ordering, paging',
        ...doc,
        querystring: listUsersQuery,
        response: { 200: pageAnswerSchema(listedUserSchema) },
      },
    },
    async (request) => s.users.list(request.query),
  );
  api.post(
    '/users',
    {
      schema: {
        summary: 'Create a user (their first personal key is returned once)',
        ...doc,
        body: createUserBody,
        response: { 201: createdUserAnswerSchema },
      },
    },
    async (request, reply) => {
      const { user, key } = await s.users.create(actorOf(request), request.body);
      return reply.status(201).send({ user, key: { ...key.key, secret: key.secret, authorization: key.authorization } });
    },
  );
  api.get(
    '/users/ids',
    {
      schema: {
        summary: 'The ids of every user a list query matches, in its order (at most `limit`), and their exact count',
        ...doc,
        querystring: userIdsQuery,
        response: { 200: matchingIdsSchema },
      },
    },
    async (request) => s.users.listIds(request.query),
  );
  api.post(
    '/users/set-active',
    {
      schema: {
        summary: 'Activate or deactivate up to 500 users, each on its own: changed, unchanged or failed',
        ...doc,
        body: setActiveBody,
        response: { 200: bulkActiveSchema },
      },
    },
    async (request) => s.users.setActive(actorOf(request), request.body.ids, request.body.is_active),
  );
  api.get('/users/:id', { schema: { summary: 'One user', ...doc, ...one } }, async (request) => s.users.get(request.params.id));
  api.patch(
    '/users/:id',
    { schema: { summary: 'Edit a user: username, email, active, staff, superuser', ...doc, ...one, body: updateUserBody } },
    async (request) => s.users.update(actorOf(request), request.params.id, request.body),
  );
  api.delete(
    '/users/:id',
    {
      schema: {
        summary: 'Delete a user (never the last active superuser)',
        ...doc,
        params: idParam,
        response: { 204: z.undefined().meta({ description: 'Deleted: no body' }) },
      },
    },
    async (request, reply) => {
      await s.users.remove(actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
  api.post(
    '/users/:id/password',
    { schema: { summary: "Set a user's password (ends their tokens)", ...doc, ...one, body: setPasswordBody } },
    async (request) => s.users.setPassword(actorOf(request), request.params.id, request.body.password),
  );
  api.get(
    '/users/:id/keys',
    {
      schema: {
        summary: "A user's personal keys, usable first, paged (`page`, `page_size`): {count, page, page_size, results}",
        ...doc,
        params: idParam,
        querystring: keysListQuery,
        response: { 200: pageAnswerSchema(personalKeySchema) },
      },
    },
    async (request) => {
      const user = await s.users.get(request.params.id);
      return s.keys.page(user.id, { page: request.query.page, pageSize: request.query.page_size });
    },
  );
  api.post(
    '/users/:id/keys',
    {
      schema: {
        summary: 'Create a personal key for a user (secret shown once)',
        ...doc,
        params: idParam,
        body: optionalBody(createKeyBody),
        response: { 201: newKeyAnswerSchema },
      },
    },
    async (request, reply) => {
      const user = await s.users.get(request.params.id);
      const created = await s.keys.issue(actorOf(request), user, { name: request.body.name ?? 'api', expiresAt: expiryFrom(request.body, s.clock.now()) });
      return reply.status(201).send({ ...created.key, secret: created.secret, authorization: created.authorization });
    },
  );
  api.delete(
    '/users/:id/keys/:keyId',
    { schema: { summary: "Revoke a user's key", ...doc, params: keyParams, response: { 200: personalKeySchema } } },
    async (request) => {
      const user = await s.users.get(request.params.id);
      return s.keys.revoke(actorOf(request), user, request.params.keyId);
    },
  );
}
