import type { FastifyInstance } from 'fastify';
import { guard, actorOf } from '../http/auth.ts';
import { parseInput } from '../http/validate.ts';
import { createUserBody, idParam, listUsersQuery, setActiveBody, setPasswordBody, updateUserBody, userIdsQuery } from './users-schemas.ts';
import { createKeyBody, expiryFrom, keyParams, keysListQuery } from '../keys/keys-schemas.ts';
import type { Services } from '../services.ts';
import { settingsRoutes } from '../settings/settings-routes.ts';
import { auditRoutes } from '../audit/audit-routes.ts';

/** The admin API: superusers only (staff alone is not enough). */
export function adminRoutes(s: Services) {
  return async (app: FastifyInstance) => {
    guard(app, s.tokens, 'superuser');
    const tags = ['admin: users'];

    app.get('/users', { schema: { summary: 'List users: search, filters, ordering, paging', tags } }, async (request) =>
      s.users.list(parseInput(listUsersQuery, request.query, 'query')),
    );
    app.post('/users', { schema: { summary: 'Create a user (their first personal key is returned once)', tags } }, async (request, reply) => {
      const body = parseInput(createUserBody, request.body, 'body');
      const { user, key } = await s.users.create(actorOf(request), body);
      return reply.status(201).send({ user, key: { ...key.key, secret: key.secret, authorization: key.authorization } });
    });
    app.get('/users/ids', { schema: { summary: 'The ids of every user a list query matches, in its order (at most `limit`), and their exact count', tags } }, async (request) =>
      s.users.listIds(parseInput(userIdsQuery, request.query, 'query')),
    );
    app.post('/users/set-active', { schema: { summary: 'Activate or deactivate up to 500 users, each on its own: changed, unchanged or failed', tags } }, async (request) => {
      const { ids, is_active } = parseInput(setActiveBody, request.body, 'body');
      return s.users.setActive(actorOf(request), ids, is_active);
    });
    app.get('/users/:id', { schema: { summary: 'One user', tags } }, async (request) => s.users.get(parseInput(idParam, request.params, 'params').id));
    app.patch('/users/:id', { schema: { summary: 'Edit a user: username, email, active, staff, superuser', tags } }, async (request) => {
      const { id } = parseInput(idParam, request.params, 'params');
      return s.users.update(actorOf(request), id, parseInput(updateUserBody, request.body, 'body'));
    });
    app.delete('/users/:id', { schema: { summary: 'Delete a user (never the last active superuser)', tags } }, async (request, reply) => {
      await s.users.remove(actorOf(request), parseInput(idParam, request.params, 'params').id);
      return reply.status(204).send();
    });
    app.post('/users/:id/password', { schema: { summary: "Set a user's password (ends their tokens)", tags } }, async (request) => {
      const { id } = parseInput(idParam, request.params, 'params');
      const { password } = parseInput(setPasswordBody, request.body, 'body');
      return s.users.setPassword(actorOf(request), id, password);
    });
    app.get('/users/:id/keys', { schema: { summary: "A user's personal keys, usable first, paged (`page`, `page_size`): {count, page, page_size, results}", tags } }, async (request) => {
      const user = await s.users.get(parseInput(idParam, request.params, 'params').id);
      const q = parseInput(keysListQuery, request.query, 'query');
      return s.keys.page(user.id, { page: q.page, pageSize: q.page_size });
    });
    app.post('/users/:id/keys', { schema: { summary: 'Create a personal key for a user (secret shown once)', tags } }, async (request, reply) => {
      const user = await s.users.get(parseInput(idParam, request.params, 'params').id);
      const body = parseInput(createKeyBody, request.body ?? {}, 'body');
      const created = await s.keys.issue(actorOf(request), user, { name: body.name ?? 'api', expiresAt: expiryFrom(body, s.clock.now()) });
      return reply.status(201).send({ ...created.key, secret: created.secret, authorization: created.authorization });
    });
    app.delete('/users/:id/keys/:keyId', { schema: { summary: "Revoke a user's key", tags } }, async (request) => {
      const { id, keyId } = parseInput(keyParams, request.params, 'params');
      const user = await s.users.get(id!);
      return s.keys.revoke(actorOf(request), user, keyId);
    });

    settingsRoutes(app, s);
    auditRoutes(app, s);
  };
}
