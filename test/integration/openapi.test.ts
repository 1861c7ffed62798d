import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userSchema } from '../../src-shared/user-schemas.ts';
import { dialects, json, makeTestApp, type TestApp } from '../helpers/app.ts';

interface Operation {
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Array<Record<string, string[]>>;
}
type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  required?: string[];
  pattern?: string;
  maxLength?: number;
};
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

/** The HTML pages (forms for a browser, with a cookie session): left out of the document on purpose. */
const PAGE = /^\/(accounts|dashboard|static|set-password)\/|^\/g\/sso\/|^\/o\/:org\/sso\/|^\/favicon\.ico$|^\/$/;
/** Bodies a route takes: every POST, PUT and PATCH but the forward-auth check (it drains whatever a proxy copies), and the key exchange's GET. */
const takesBody = (method: string, path: string) =>
  (['post', 'put', 'patch'].includes(method) && path !== '/auth/check') || (method === 'get' && path === '/api/v2/auth/pkey/jwt/');

/** Every (method, path) Fastify registered, from printRoutes' tree; HEAD mirrors GET and is left out. */
function registered(tree: string): string[] {
  const out: string[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (prefixes[depth - 1] ?? '') + m[2]!;
    prefixes.length = depth;
    prefixes[depth] = path;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out;
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, path, method, op })),
  );

/** A schema, or the component it refers to. */
function resolve(doc: Document, s: Schema): Schema {
  return s.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]! : s;
}

describe.each(dialects())('the OpenAPI document (%s)', (dialect) => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = json<Document>(res);
  });
  afterAll(async () => t?.close());

  it('lists every route the server registers but the HTML pages, and nothing else', () => {
    const routes = registered(t.app.printRoutes({ commonPrefix: false }));
    expect(routes).toContain('DELETE /api/v2/admin/users/:id/keys/:keyId');
    const api = routes.filter((r) => !PAGE.test(r.split(' ')[1]!));
    expect(api.length).toBeGreaterThanOrEqual(40);
    expect(routes.length - api.length).toBeGreaterThanOrEqual(10);
    expect(
      operations(doc)
        .map((o) => o.key)
        .sort(),
    ).toEqual([...api].sort());
    expect(doc.openapi).toBe('3.1.0');
  });

  it('every route documents its request body (where it takes one) and every answer, errors included', () => {
    const problems: string[] = [];
    for (const { key, path, method, op } of operations(doc)) {
      const body = op.requestBody?.content['application/json']?.schema;
      if (takesBody(method, path)) {
        if (!body) problems.push(`${key}: no request body`);
        else if (resolve(doc, body).type !== 'object') problems.push(`${key}: the body is not an object schema`);
      } else if (op.requestBody) problems.push(`${key}: a body it does not read`);
      const success = Object.entries(op.responses).filter(([status]) => /^[23]\d\d$/.test(status));
      if (!success.length) problems.push(`${key}: no success answer`);
      for (const [status, answer] of success) {
        // Only an answer without a body may go without a schema: a deletion's 204, the forward-auth check's headers-only 200 and 302.
        const bodiless = status === '204' || path === '/auth/check';
        const schema = answer.content && Object.values(answer.content)[0]?.schema;
        if (!bodiless && !schema) problems.push(`${key}: ${status} has no schema`);
        if (bodiless && answer.content) problems.push(`${key}: ${status} should have no body`);
      }
      const errors = op.responses['4XX']?.content?.['application/json']?.schema.$ref;
      if (!errors?.endsWith('/Error') && !errors?.endsWith('/DrfError') && !errors?.endsWith('/StatusError'))
        problems.push(`${key}: errors not documented (${errors})`);
      // pygraphistry's single sign-on calls answer every error with status "ERR", server errors included.
      const serverErrors = errors?.endsWith('/StatusError') ? errors : '#/components/schemas/Error';
      if (op.responses['5XX']?.content?.['application/json']?.schema.$ref !== serverErrors) problems.push(`${key}: 5XX not documented`);
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required)) problems.push(`${key}: path parameter ${name} undocumented`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("shows the routes' own rules: the shared user shape, the username rule, strict bodies, optional bodies, queries", () => {
    const op = (method: string, path: string) => doc.paths[path]![method]!;
    const create = resolve(doc, op('post', '/api/v2/admin/users').requestBody!.content['application/json']!.schema);
    expect(create.required).toEqual(['username', 'password']);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties!.username).toMatchObject({ maxLength: 150, pattern: '^[\\p{L}\\p{N}_.@+-]+$' });
    const patch = resolve(doc, op('patch', '/api/v2/admin/users/{id}').requestBody!.content['application/json']!.schema);
    expect(Object.keys(patch.properties!).sort()).toEqual(['email', 'is_active', 'is_staff', 'is_superuser', 'username']);
    // The User component is the shared schema, field for field.
    expect(op('get', '/api/v2/admin/users/{id}').responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/User');
    expect(Object.keys(doc.components.schemas.User!.properties!).sort()).toEqual(Object.keys(userSchema.shape).sort());
    // A body the clients may leave out says so; one they must send says that.
    expect(op('post', '/api/v2/me/keys').requestBody!.required).toBe(false);
    expect(op('post', '/api/v2/auth/pkey/jwt/').requestBody!.required).toBe(false);
    expect(op('post', '/api-token-auth/').requestBody!.required).toBe(true);
    expect(op('get', '/api/v2/admin/users').parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['search', 'ordering', 'page', 'page_size', 'is_staff']),
    );
    expect(op('get', '/auth/check').parameters!.map((p) => p.name)).toEqual(['require', 'redirect']);
    expect(op('get', '/api/v2/me/keys').security).toEqual([{ bearer: [] }, { personalKey: [] }]);
    // Graphistry's token routes answer errors in DRF's shape too.
    expect(op('post', '/api-token-auth/').responses['4XX']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/DrfError');
    expect(op('get', '/api/v2/o/sso/oidc/jwt/{state}/').responses['4XX']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/StatusError');
  });

  it('every reference leads to a component, and every component is used', () => {
    const text = JSON.stringify(doc);
    const refs = new Set([...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!));
    expect([...refs].sort()).toEqual(Object.keys(doc.components.schemas).sort());
  });
});
