import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
  }
}

interface CollectedRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
}

/**
 * Collects every route as it is registered and serves an OpenAPI 3.1
 * document at `/openapi.json`. Request validation is done by zod in the
 * handlers; this document lists paths, methods, summaries and auth.
 */
export function installOpenApi(app: FastifyInstance, info: { version: string }): void {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as { summary?: string; tags?: string[] };
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      routes.push({ method: method.toLowerCase(), url: route.url, summary: schema.summary ?? '', tags: schema.tags ?? [] });
    }
  });

  app.get('/openapi.json', { schema: { summary: 'This document', tags: ['meta'] } }, async () => {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of routes) {
      if (!r.summary) continue;
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const params = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const secured = path.startsWith('/api/v2/admin') || path.startsWith('/api/v2/me') || path.includes('/switch/');
      (paths[path] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        ...(params.length ? { parameters: params } : {}),
        ...(secured ? { security: [{ bearer: [] }, { personalKey: [] }] } : {}),
        responses: {
          default: { description: 'Errors: `{error: CODE, message, fields?}`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Graphistry Admin embedded account server', version: info.version },
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          personalKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'PersonalKey <id>:<secret>' },
        },
        schemas: {
          Error: {
            type: 'object',
            required: ['error', 'message'],
            properties: {
              error: { type: 'string' },
              message: { type: 'string' },
              fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' } } } },
            },
          },
        },
      },
    };
  });
}
