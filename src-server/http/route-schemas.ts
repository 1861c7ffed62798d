import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { parseInput } from '../lib/validate.ts';

/**
 * Zod schemas as Fastify route schemas: Fastify validates each request part
 * with them before the handler runs, serializes each answer through them,
 * and @fastify/swagger documents them (openapi/openapi.ts).
 *
 * Not fastify-type-provider-zod's own compilers (only its types and its
 * document transform): its validator answers in Fastify's error shape, and
 * its serializer re-encodes every answer, 1.4 to 1.8 µs per GET /me or
 * sign-in answer where parsing costs 0.15 to 0.25 µs over JSON.stringify.
 * Ours keep the server's one error format (parseInput: VALIDATION with every
 * field, NUL refused) and parse each answer, which drops any field its schema
 * does not name, so nothing internal leaks into a response.
 */

const PART = { body: 'body', querystring: 'query', params: 'params' } as const;

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const where = PART[(httpPart ?? 'body') as keyof typeof PART] ?? 'body';
  return (data) => {
    try {
      return { value: parseInput(schema, data, where) };
    } catch (error) {
      // Returned, not thrown: Fastify sends a returned error to the error handler as it is (a thrown one becomes a 500).
      return { error: error as Error };
    }
  };
};

/** An answer that does not fit its schema is the server's own bug: a 500 (logged with the cause), never a half-checked body. */
export class AnswerShapeError extends Error {
  constructor(method: string, url: string, issues: z.core.$ZodIssue[]) {
    super(
      `The answer of ${method} ${url} does not match its schema: ${issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
        .join('; ')}`,
    );
    this.name = 'AnswerShapeError';
  }
}

export const zodSerializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema, method, url }) => {
  return (data) => {
    const result = schema.safeParse(data);
    if (!result.success) throw new AnswerShapeError(method, url, result.error.issues);
    return JSON.stringify(result.data);
  };
};

/** Every route module registers through this: handlers are typed by their schemas (request parts in, answer out). */
export function zodRoutes(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}

/**
 * A body a client may leave out (Graphistry's clients and the console send
 * none for "all defaults"): no body, or JSON null, reads as `{}`.
 */
export function optionalBody<T extends z.ZodObject>(schema: T) {
  return schema.prefault({} as z.input<T>);
}
