import fastJson from 'fast-json-stringify';
import { z } from 'zod';

type JsonSchema = { [key: string]: unknown };

/**
 * `X | null` as zod writes it (`anyOf: [X, {type: 'null'}]`) becomes
 * `type: [X's type, 'null']`, which fast-json-stringify writes with a type
 * check instead of running a validator to pick the branch on every answer.
 */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) out[k] = simplify(v);
  const anyOf = out.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length === 2 && Object.keys(out).length === 1) {
    const nulls = anyOf.filter((b) => b.type === 'null' && Object.keys(b).length === 1);
    const other = anyOf.find((b) => !nulls.includes(b));
    if (nulls.length === 1 && other && typeof other.type === 'string') return { ...other, type: [other.type, 'null'] };
  }
  return out;
}

/** The JSON Schema of an answer's zod schema, as fast-json-stringify reads it: inlined (no `$ref`s), output side, documentation left out. */
export function answerJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any', reused: 'inline', cycles: 'throw', metadata: z.registry() });
  const { $schema: _drop, ...rest } = simplify(json) as JsonSchema;
  return rest;
}

/**
 * A compiled writer for one answer schema: only the fields the schema names
 * are written (anything else a service returns never leaves the server), and
 * an answer missing a required field, or with a number that is not one,
 * throws (a 500 through the error handler) instead of being sent half-right.
 */
export function compileAnswerWriter(schema: z.ZodType): (data: unknown) => string {
  return fastJson(answerJsonSchema(schema) as unknown as Parameters<typeof fastJson>[0]);
}
