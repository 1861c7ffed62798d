import type { FastifyInstance } from 'fastify';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zodRoutes } from '../http/route-schemas.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Request parts a route reads and judges itself, shown in the document
     * all the same: a GET's body (Fastify takes no body schema there), or the
     * forward-auth check's query (judged in the handler, on a path that must
     * not wait for anything).
     */
    documented?: { body?: z.ZodType; querystring?: z.ZodType };
  }
}

type Security = ReadonlyArray<Record<string, readonly string[]>>;
/** `security` of a route that takes a JWT or a personal key (the /me and admin prefixes' guard). */
export const SIGNED_IN: Security = [{ bearer: [] }, { personalKey: [] }];
/** `security` of the personal-key exchange: the key is the credential. */
export const PERSONAL_KEY: Security = [{ personalKey: [] }];

const fieldIssue = z.object({
  field: z.string(),
  message: z.string(),
  rule: z.string().optional().meta({ description: 'The password rule that failed (WEAK_PASSWORD)' }),
});

/** The one error format (http/error-handler.ts). */
export const errorSchema = z
  .object({
    error: z.string().meta({ description: 'An UPPER_SNAKE code from the registry in errors.ts' }),
    message: z.string(),
    fields: z.array(fieldIssue).optional(),
  })
  .meta({ id: 'Error', description: 'Every error: {error: CODE, message}, and the fields a refusal concerns' });

/** Graphistry's token routes add Django REST Framework's shape, which its clients read: per-field lists, or `non_field_errors`. */
export const drfErrorSchema = errorSchema
  .extend({ non_field_errors: z.array(z.string()).optional() })
  .catchall(z.array(z.string()))
  .meta({ id: 'DrfError', description: "An error of a Graphistry token route: ours, plus DRF's `non_field_errors` or one list of messages per field" });

/** pygraphistry's single sign-on calls: ours, with the `status: "ERR"` its client reads. */
export const statusErrorSchema = errorSchema.extend({ status: z.literal('ERR') }).meta({
  id: 'StatusError',
  description: 'An error of a pygraphistry single sign-on call: ours, plus status "ERR", which the client raises with the message',
});

const documentAnswer = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/**
 * The HTML pages (sign-up, sign-in, dashboard, invitation) are forms for a
 * browser, with a cookie session and a CSRF token, not an API: they are left
 * out, as are routes without a summary (the `/` redirect) and anything a
 * route marks hidden (the gates, whose answers are their services' own).
 */
function documented(schema: { summary?: string; tags?: readonly string[]; hide?: boolean } | undefined): boolean {
  return Boolean(schema?.summary) && !schema?.hide && !schema?.tags?.includes('pages');
}

/** Each route as the zod transform documents it, with the error answers every route shares and the parts a route reads itself. */
const describeRoute: SwaggerTransform = (args) => {
  const { schema, route } = args;
  if (!documented(schema)) return { schema: { ...schema, hide: true }, url: args.url };
  const body = schema.body ?? route.config?.documented?.body;
  const querystring = schema.querystring ?? route.config?.documented?.querystring;
  const errors = route.config?.drfErrors ? drfErrorSchema : route.config?.statusErrors ? statusErrorSchema : errorSchema;
  const withErrors = {
    ...schema,
    ...(body ? { body } : {}),
    ...(querystring ? { querystring } : {}),
    // Marks a body that may be left out, for finishDocument (@fastify/swagger calls every body required).
    ...(body instanceof z.ZodType && body.safeParse(undefined).success ? { 'x-body-optional': true } : {}),
    response: { ...(schema.response as object), '4XX': errors, '5XX': route.config?.statusErrors ? statusErrorSchema : errorSchema },
  };
  return jsonSchemaTransform({ ...args, schema: withErrors });
};

type Operation = { requestBody?: { required?: boolean }; 'x-body-optional'?: boolean };

/** Component schemas (zod's registry), HEAD dropped (it mirrors GET), optional bodies said so, and only the components in use. */
const finishDocument: typeof jsonSchemaTransformObject = (args) => {
  const doc = jsonSchemaTransformObject(args) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
  for (const item of Object.values(doc.paths)) {
    delete item.head;
    for (const op of Object.values(item)) {
      if (op['x-body-optional'] && op.requestBody) op.requestBody.required = false;
      delete op['x-body-optional'];
    }
  }
  // Until none goes: a component used only by an unused one (ListedUser's input twin and its UserSignIn) goes too.
  for (let dropped = true; dropped;) {
    dropped = false;
    const text = JSON.stringify(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      if (!text.includes(`"#/components/schemas/${name}"`)) dropped = delete doc.components.schemas[name];
    }
  }
  return doc as ReturnType<typeof jsonSchemaTransformObject>;
};

/**
 * Serves an OpenAPI 3.1 document at `/api/v2/openapi.json`, generated by
 * @fastify/swagger from the routes' own zod schemas: request bodies, query
 * and path parameters, every answer, and the errors. Registered before any
 * route, so that it sees them all.
 */
export async function installOpenApi(app: FastifyInstance, info: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Graphistry Admin embedded account server', version: info.version },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          personalKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'PersonalKey <id>:<secret>' },
        },
      },
    },
    transform: describeRoute,
    transformObject: finishDocument,
  });
  zodRoutes(app).get(
    '/api/v2/openapi.json',
    { schema: { summary: 'This document', tags: ['meta'], response: { 200: documentAnswer } } },
    async () => app.swagger() as z.output<typeof documentAnswer>,
  );
}
