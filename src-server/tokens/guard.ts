import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { bool } from '../db/schema.ts';
import type { Actor } from '../audit/audit-service.ts';
import type { Principal, TokensService } from './tokens-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The level the route prefix's guard let this request in at. */
    guardLevel: 'user' | 'superuser' | null;
  }
}

/** Who the audit log should name for this request, and the role its writes must still hold when they commit. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (!p) return { userId: null, username: 'anonymous', ip: request.ip };
  return { userId: Number(p.user.id), username: p.user.username, ip: request.ip, requires: request.guardLevel ?? 'user' };
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Authentication credentials were not provided.');
  return request.principal;
}

/**
 * Guards for an encapsulated route prefix: deny by default. `user` lets any
 * active account in; `superuser` needs is_superuser (staff alone is not enough).
 * Runs on `onRequest`, before the body is even read.
 */
export function guard(app: FastifyInstance, tokens: TokensService, level: 'user' | 'superuser'): void {
  app.addHook('onRequest', async (request) => {
    request.principal = await tokens.authenticate(request.headers.authorization, request.ip);
    request.guardLevel = level;
    if (level === 'superuser' && !bool(request.principal.user.is_superuser)) {
      throw new AppError('SUPERUSER_REQUIRED', 'This needs a superuser account.');
    }
  });
}
