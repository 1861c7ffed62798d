import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandling } from './error-handler.ts';
import { optionalBody, zodRoutes, zodSerializerCompiler, zodValidatorCompiler } from './route-schemas.ts';

/** A server with the app's compilers and error handler, and routes that answer what they are told to. */
function makeServer() {
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  const api = zodRoutes(app);
  const answer = z.object({ id: z.number().int(), name: z.string() });
  // Typed as the schema's output, but the tests make it answer other shapes, as a buggy service would.
  let next: unknown = null;
  api.post(
    '/echo/:id',
    {
      schema: {
        params: z.strictObject({ id: z.coerce.number().int().min(1) }),
        querystring: z.strictObject({ n: z.coerce.number().optional() }),
        body: optionalBody(z.strictObject({ name: z.string().min(1, 'is required').optional() })),
        response: { 200: answer },
      },
    },
    async (request) => {
      next ??= { id: request.params.id, name: request.body.name ?? 'none' };
      const out = next as z.output<typeof answer>;
      next = null;
      return out;
    },
  );
  return { app, answerNext: (v: unknown) => void (next = v) };
}

describe('zod schemas as Fastify route schemas', () => {
  const s = makeServer();
  beforeAll(async () => s.app.ready());
  afterAll(async () => s.app.close());
  const post = (url: string, payload?: unknown) => s.app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('hands the handler parsed parts, and a left-out optional body as {}', async () => {
    expect((await post('/echo/7?n=2', { name: 'ada' })).json()).toEqual({ id: 7, name: 'ada' });
    expect((await post('/echo/7')).json()).toEqual({ id: 7, name: 'none' });
  });

  it('refuses bad parts in the one error format, naming each field', async () => {
    const res = await post('/echo/0?n=x', { name: '', extra: 1 });
    expect(res.statusCode).toBe(400);
    // Parameters are judged first, as Fastify orders them; one part's issues at a time.
    expect(res.json()).toMatchObject({ error: 'VALIDATION', fields: [{ field: 'id' }] });
    const body = (await post('/echo/1', { name: '', extra: 1 })).json();
    expect(body).toEqual({
      error: 'VALIDATION',
      message: 'Invalid body: name is required; extra is not a known field.',
      fields: [
        { field: 'name', message: 'is required' },
        { field: 'extra', message: 'is not a known field' },
      ],
    });
    expect((await post('/echo/1?n=x')).json()).toMatchObject({ error: 'VALIDATION', fields: [{ field: 'n' }] });
    // PostgreSQL cannot hold NUL: refused however the schema reads it.
    expect((await post('/echo/1', { name: 'a\u0000b' })).json()).toMatchObject({
      error: 'VALIDATION',
      fields: [{ field: 'name', message: 'Null characters are not allowed.' }],
    });
  });

  it('drops from an answer every field its schema does not name', async () => {
    s.answerNext({ id: 1, name: 'ada', password_hash: '$argon2id$secret' });
    const res = await post('/echo/1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 1, name: 'ada' });
  });

  it('answers a 500 without detail when an answer does not fit its schema', async () => {
    s.answerNext({ id: 'not a number', name: 'ada' });
    const res = await post('/echo/1');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'INTERNAL', message: 'Internal server error.' });
    // A field the schema requires, missing: refused too, not sent without it.
    s.answerNext({ id: 1 });
    const missing = await post('/echo/1');
    expect(missing.statusCode).toBe(500);
    expect(missing.json()).toEqual({ error: 'INTERNAL', message: 'Internal server error.' });
  });
});
