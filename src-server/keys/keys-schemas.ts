import { z } from 'zod';

/** A key list's page: `page` from 1, `page_size` up to 500 (the default holds every usable key). */
export const keysListQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(500).optional(),
});

export const createKeyBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .optional(),
  /** ISO-8601 instant, or null for a key that never expires. */
  expires_at: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' }).nullable().optional(),
  /** Alternative to expires_at: days from now. */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type CreateKeyInput = z.infer<typeof createKeyBody>;

/** A key's id in a path. */
export const keyId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9]+$/, 'is not a key id');
/** One of the caller's own keys. */
export const ownKeyParams = z.strictObject({ keyId });

export function expiryFrom(input: CreateKeyInput, now: Date): Date | null {
  if (input.expires_at) return new Date(input.expires_at);
  if (input.expires_in_days) return new Date(now.getTime() + input.expires_in_days * 86_400_000);
  return null;
}
