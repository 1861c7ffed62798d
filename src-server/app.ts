import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import type { ServerConfig } from './config.ts';
import { frameworkErrors, installErrorHandling } from './http/error-handler.ts';
import { createServices, type ServiceDeps, type Services } from './services.ts';
import { tokensRoutes } from './tokens/tokens-routes.ts';
import { signupRoutes } from './registration/signup-routes.ts';
import { meRoutes } from './users/me-routes.ts';
import { adminUsersRoutes } from './users/admin-users-routes.ts';
import { userImportRoutes } from './users/import-routes.ts';
import { lifecycleRoutes } from './users/lifecycle-routes.ts';
import { usersExportRoutes } from './users/export-routes.ts';
import { settingsRoutes } from './settings/settings-routes.ts';
import { auditRoutes } from './audit/audit-routes.ts';
import { invitationsAdminRoutes, invitationsPublicRoutes } from './invitations/invitations-routes.ts';
import { guard } from './tokens/guard.ts';
import { installOpenApi } from './openapi/openapi.ts';
import { zodSerializerCompiler, zodValidatorCompiler } from './http/route-schemas.ts';
import { pagesPlugin } from './pages/pages-plugin.ts';
import { requestLogSerializer } from './lib/redact.ts';
import { OneLineRequestLog, sameLoggerForRequests } from './http/request-log.ts';
import { fastifyTrustProxy } from './lib/trust-proxy.ts';
import { forwardAuthRoutes } from './gate/forward-auth-routes.ts';
import { installGate } from './gate/gate-routes.ts';
import { orgsRoutes } from './orgs/orgs-routes.ts';
import { adminOrgsRoutes } from './orgs/admin-orgs-routes.ts';
import { adminSsoRoutes, orgSsoRoutes } from './sso/sso-routes.ts';
import { ssoClientRoutes } from './sso/sso-client-routes.ts';

export const BODY_LIMIT = 64 * 1024;
export const SERVER_VERSION = '0.1.0';
const SECURITY_HEADERS = Object.freeze({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });

export interface AppDeps extends ServiceDeps {
  logger?: FastifyServerOptions['logger'];
  /** The logger's destination, when the caller made it: request lines are written there directly (see OneLineRequestLog). */
  logSink?: { write(line: string): unknown };
}

/**
 * Build the embedded account server. Never listens: the CLI (`serve`) does
 * that, and tests call `app.inject()` or listen on 127.0.0.1:0 themselves.
 *
 * @example
 * const app = await buildApp(config, { db, secrets });
 * const res = await app.inject({ method: 'GET', url: '/ht/' }); // 200
 */
export async function buildApp(config: ServerConfig, deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const app = Fastify({
    logger: withRedaction(deps.logger),
    logController: new OneLineRequestLog(deps.logger ? (deps.logSink ?? null) : null),
    childLoggerFactory: sameLoggerForRequests,
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Exact paths matter: Graphistry's clients call '/api-token-auth/' with the slash and '/api/v2/auth/token/generate' without.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 200 },
    return503OnClosing: true,
    // Bounded connections: a request must arrive whole within requestTimeout (headers within 10 s of it),
    // an idle keep-alive connection closes after keepAliveTimeout, and a silent socket after requestTimeout.
    // Fastify's defaults leave the first and last unbounded, so slow or stalled senders held sockets for minutes.
    requestTimeout: config.requestTimeout * 1000,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
    connectionTimeout: config.requestTimeout * 1000,
    http: { headersTimeout: Math.min(10, config.requestTimeout) * 1000, connectionsCheckingInterval: 1000 },
    requestIdHeader: false,
    // Router-level failures (bad %-escapes, over-long params) answer in our error format too.
    frameworkErrors,
  });
  // Set before anything else runs, so every answer has them (errors and 404s
  // included); a route that wants another cache-control or referrer-policy
  // simply sets its own. A callback hook: no promise per request.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  const services = await createServices(config, deps);
  app.decorate('services', services);
  app.decorateRequest('principal', null);
  app.decorateRequest('guardLevel', null);
  installErrorHandling(app);
  // Every route's zod schemas are Fastify's own: checked before the handler, answers serialized through them, documented at /api/v2/openapi.json.
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  await installOpenApi(app, { version: SERVER_VERSION });
  await app.register(formbody, { bodyLimit: BODY_LIMIT });

  tokensRoutes(app, services);
  signupRoutes(app, services);
  invitationsPublicRoutes(app, services);
  ssoClientRoutes(app, services);
  // The signed-in API, guarded prefix by prefix: /me lets any active account in, /admin needs a superuser (staff alone is not enough).
  await app.register(guarded(services, 'user', meRoutes), { prefix: '/api/v2/me' });
  // Organizations: any active account reaches its own; what it may do in each is the organization's rule (orgs/org-access.ts).
  await app.register(guarded(services, 'user', orgsRoutes, orgSsoRoutes), { prefix: '/api/v2/organizations' });
  await app.register(
    guarded(
      services,
      'superuser',
      adminUsersRoutes,
      userImportRoutes,
      lifecycleRoutes,
      usersExportRoutes,
      settingsRoutes,
      auditRoutes,
      adminOrgsRoutes,
      adminSsoRoutes,
    ),
    { prefix: '/api/v2/admin' },
  );
  await app.register(guarded(services, 'superuser', invitationsAdminRoutes), { prefix: '/api/v2/admin/invitations' });
  await app.register(pagesPlugin(services));
  await app.register(forwardAuthRoutes(services));
  await installGate(app, services);
  return app as unknown as FastifyInstance & { services: Services };
}

/** Routes under one prefix, all behind one guard (tokens/guard.ts): deny by default, checked on onRequest before a body is read. */
function guarded(services: Services, level: 'user' | 'superuser', ...routes: Array<(app: FastifyInstance, s: Services) => void>) {
  return async (scope: FastifyInstance) => {
    guard(scope, services.tokens, level);
    for (const register of routes) register(scope, services);
  };
}

/** Every request log line goes through the redacting serializer: URLs can carry invitation tokens and other secrets. */
function withRedaction(logger: AppDeps['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: requestLogSerializer } };
}
