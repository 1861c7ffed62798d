import type { z } from 'zod';
import { AppError, type FieldIssue } from '../errors.ts';

/** Validate input with a zod schema; failures become one VALIDATION error listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
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

/** Reject strings with control characters (NUL, escapes) where a human-readable name is expected. */
export function hasControlChars(s: string): boolean {
  return /\p{Cc}/u.test(s);
}
