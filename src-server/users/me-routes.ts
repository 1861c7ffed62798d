import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { guard, actorOf, requirePrincipal } from '../http/auth.ts';
import { parseInput } from '../http/validate.ts';
import { toUser } from './users-repo.ts';
import { changePasswordBody } from './users-schemas.ts';
import { createKeyBody, expiryFrom, keyParams, keysListQuery } from '../keys/keys-schemas.ts';
import type { Services } from '../services.ts';

/** Self-service for any active account: who am I, my keys, a JWT for API use. */
export function meRoutes(s: Services) {
  return async (app: FastifyInstance) => {
    guard(app, s.tokens, 'user');
    const tags = ['me'];

    app.get('/', { schema: { summary: 'The caller', tags } }, async (request) => {
      const p = requirePrincipal(request);
      const u = toUser(p.user);
      // One literal (no spread): a fixed shape that JSON.stringify takes on its fast path.
      return { id: u.id, username: u.username, email: u.email, is_active: u.is_active, is_staff: u.is_staff, is_superuser: u.is_superuser, date_joined: u.date_joined, last_login: u.last_login, auth: { via: p.via, key_id: p.keyId } };
    });

    app.get('/keys', { schema: { summary: "The caller's personal keys, usable first, paged (`page`, `page_size`): {count, page, page_size, results}", tags } }, async (request) => {
      const q = parseInput(keysListQuery, request.query, 'query');
      return s.keys.page(Number(requirePrincipal(request).user.id), { page: q.page, pageSize: q.page_size });
    });

    app.post('/keys', { schema: { summary: 'Create a personal key (the secret is shown once)', tags } }, async (request, reply) => {
      const body = parseInput(createKeyBody, request.body ?? {}, 'body');
      const user = toUser(requirePrincipal(request).user);
      const created = await s.keys.issue(actorOf(request), user, { name: body.name ?? 'api', expiresAt: expiryFrom(body, s.clock.now()) });
      return reply.status(201).send({ ...created.key, secret: created.secret, authorization: created.authorization });
    });

    app.delete('/keys/:keyId', { schema: { summary: 'Revoke one of your keys', tags } }, async (request) => {
      const { keyId } = parseInput(keyParams, request.params, 'params');
      return s.keys.revoke(actorOf(request), toUser(requirePrincipal(request).user), keyId);
    });

    app.post('/password', { schema: { summary: 'Change your password (the current one is required; ends your other tokens and sessions, returns a fresh JWT)', tags } }, async (request) => {
      const body = parseInput(changePasswordBody, request.body, 'body');
      const p = requirePrincipal(request);
      const epoch = await s.users.changeOwnPassword(actorOf(request), Number(p.user.id), body.current_password, body.password);
      const { token, claims } = await s.tokens.issue({ ...p.user, auth_epoch: epoch }, p.keyId ? { keyId: p.keyId } : {});
      return { token, expires_at: new Date(claims.exp * 1000).toISOString() };
    });

    app.post('/token', { schema: { summary: 'Mint a JWT for API use', tags } }, async (request) => {
      parseInput(z.strictObject({}), request.body ?? {}, 'body');
      const p = requirePrincipal(request);
      const { token, claims } = await s.tokens.issue(p.user, p.keyId ? { keyId: p.keyId } : {});
      return { token, expires_at: new Date(claims.exp * 1000).toISOString() };
    });
  };
}
