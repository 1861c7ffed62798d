import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { headersOf, type ForwardAuthService, type Identified } from './forward-auth-service.ts';
import { ACCESS_LEVELS, allows, type AccessLevel } from './identity.ts';
import { credentialsOf } from './credentials.ts';
import { isNavigation, loginUrl, refusals, type Refusal } from './refusals.ts';

/** What the check reads of its query: the level to require (default staff), and whether to redirect a browser. */
const checkQuery = z.looseObject({
  require: z.enum(ACCESS_LEVELS).optional().meta({ description: 'The access a request needs (default staff)' }),
  redirect: z.enum(['1', 'true']).optional().meta({ description: 'Send a browser loading a page to sign in (302) instead of answering 401' }),
});

/** nginx's auth_request may pass on any method of the original request; the check answers them all the same. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** A proxy's copy of a request carries no body worth reading; more than this is refused. */
const DRAIN_LIMIT = 64 * 1024;

export function sendRefusal(reply: FastifyReply, r: Refusal): FastifyReply {
  return reply.code(r.status).headers(r.headers).send(r.body);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `GET /auth/check?require=user|staff|superuser` for nginx `auth_request`,
 * Traefik ForwardAuth and Caddy `forward_auth`: 200 with the identity
 * headers of identity-headers.ts (Remote-User only for a plain ASCII name,
 * always Remote-User-Id and Remote-User-Encoded); 401 with X-Login-URL when nobody is signed
 * in (or, with `redirect=1`, a 302 to sign-in for a browser loading a page:
 * Traefik and Caddy hand the check's answer to the client as it is); 403 when
 * signed in without the level. Identity headers on the request are ignored.
 */
export function forwardAuthRoutes(s: { forwardAuth: ForwardAuthService }) {
  return async (app: FastifyInstance) => {
    // Proxies pass the original request's headers, maybe a Content-Type without a body: bodies are drained, never parsed.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => {
      let size = 0;
      let settled = false;
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        done(err, undefined);
      };
      payload.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > DRAIN_LIMIT) settle(new AppError('PAYLOAD_TOO_LARGE', 'The forward-auth check takes no body.'));
      });
      payload.once('end', () => settle(null));
      payload.once('error', settle);
    });

    app.route({
      method: METHODS,
      url: '/auth/check',
      // The proxy asks on every request it forwards and keeps its own access log: one line per check here would double it.
      logLevel: 'warn',
      schema: {
        summary: 'Forward-auth check for a reverse proxy (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth)',
        tags: ['gate'],
        response: {
          200: z
            .undefined()
            .meta({ description: 'Allowed: no body; the identity in Remote-User (a plain ASCII name only), Remote-User-Id and Remote-User-Encoded' }),
          302: z.undefined().meta({ description: 'With redirect=1, a browser loading a page is sent to sign in (Location and X-Login-URL)' }),
        },
      },
      // Judged in the handler below, in the words it has always answered (`require must be user, staff or superuser.`).
      config: { documented: { querystring: checkQuery } },
      async handler(request, reply) {
        const query = request.query as Record<string, string | undefined>;
        const level = (query.require ?? 'staff') as AccessLevel;
        if (!ACCESS_LEVELS.includes(level)) {
          throw new AppError('VALIDATION', 'require must be user, staff or superuser.', {
            fields: [{ field: 'require', message: 'must be user, staff or superuser' }],
          });
        }
        const answer = (found: Identified | null): FastifyReply => {
          const headers = request.headers;
          const page = (query.redirect === '1' || query.redirect === 'true') && isNavigation(header(headers['x-forwarded-method']) ?? request.method, headers);
          if (!found) {
            const url = loginUrl(header(headers['x-original-uri']) ?? header(headers['x-forwarded-uri']));
            return sendRefusal(reply, page ? refusals.redirectToLogin(url) : refusals.unauthenticated(url));
          }
          if (!allows(found.identity, level)) return sendRefusal(reply, refusals.forbidden(level, found.identity.username, page));
          return reply.code(200).headers(headersOf(found)).send();
        };
        // Sent before the handler returns, so nothing is returned: a returned reply is awaited until the response finishes.
        answer(await s.forwardAuth.identify(credentialsOf(request.headers, request.ip)));
      },
    });
  };
}
