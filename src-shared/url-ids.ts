import { z } from 'zod';

/** Lower-case URL-safe ASCII: letters, digits, - and _, starting and ending with a letter or digit. */
export const URL_ID = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;
const URL_ID_RULE = 'may contain only letters, digits, - and _, and must start and end with a letter or digit';

/**
 * An id that goes into URLs and is compared exactly (an organization's slug,
 * an IdP's name): trimmed, stored lower-case (`Acme` is `acme`, so two ids
 * that differ only by case cannot both exist), at most `max` characters.
 */
export function urlIdSchema(max: number) {
  return z
    .string()
    .trim()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().min(1, 'is required').max(max, `must be at most ${max} characters`).regex(URL_ID, URL_ID_RULE));
}
