import type { z } from 'zod';
import { AppError, type FieldIssue } from '../errors.ts';

/** DRF's text for the rule (every DRF CharField and Django form field refuses NUL). */
export const NULL_CHARACTER_MESSAGE = 'Null characters are not allowed.';

/**
 * Path of the first string (or object key) holding a NUL, or null. PostgreSQL
 * cannot store or even compare NUL in text (it answers "invalid byte
 * sequence"), so NUL must never reach a query. Inputs are flat, so a shallow
 * walk of the parsed value is enough.
 */
function findNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth >= 4 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k];
    const found = findNul(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Validate input with a zod schema; failures become one VALIDATION error listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) {
    const nul = findNul(result.data);
    if (nul) {
      const field = nul.map((k) => k.replace(/\p{Cc}/gu, '?').slice(0, 64)).join('.') || where;
      throw new AppError('VALIDATION', `Invalid ${where}: ${field} contains a null character.`, { fields: [{ field, message: NULL_CHARACTER_MESSAGE }] });
    }
    return result.data;
  }
  const fields: FieldIssue[] = result.error.issues.map((i) => {
    const unknownKeys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const field = unknownKeys?.length ? unknownKeys.map((k) => k.slice(0, 64)).join(', ') : i.path.map(String).join('.') || where;
    const message = unknownKeys ? 'is not a known field' : i.code === 'invalid_type' && i.message.includes('undefined') ? 'is required' : i.message;
    return { field, message };
  });
  const summary = fields
    .slice(0, 5)
    .map((f) => `${f.field} ${f.message}`)
    .join('; ');
  throw new AppError('VALIDATION', `Invalid ${where}: ${summary}.`, { fields });
}
