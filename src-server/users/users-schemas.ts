import { z } from 'zod';
import { USER_ORDERING_FIELDS } from '../../src-shared/domain.ts';

/** Django's username rule: letters, digits and @.+-_ only, at most 150 characters. */
export const usernameSchema = z
  .string()
  .min(1, 'is required')
  .max(150, 'must be at most 150 characters')
  .regex(/^[\p{L}\p{N}_.@+-]+$/u, 'may contain only letters, digits and @ . + - _');

export const emailSchema = z
  .string()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u, 'must be a valid email address');

/** Length and content are judged by the password policy, which names the failed rule; this only bounds the input. */
export const passwordSchema = z.string().min(1, 'is required').max(4096, 'is too long');

const optionalEmail = z
  .union([emailSchema, z.literal(''), z.null()])
  .optional()
  .transform((v) => (v === '' ? null : v));

export const createUserBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  email: optionalEmail,
  is_active: z.boolean().optional(),
  is_staff: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
});
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .strictObject({
    username: usernameSchema.optional(),
    email: optionalEmail,
    is_active: z.boolean().optional(),
    is_staff: z.boolean().optional(),
    is_superuser: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');
export interface UpdateUserInput {
  username?: string | undefined;
  email?: string | null | undefined;
  is_active?: boolean | undefined;
  is_staff?: boolean | undefined;
  is_superuser?: boolean | undefined;
}

export const setPasswordBody = z.strictObject({ password: passwordSchema });

const boolQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const orderingValues = USER_ORDERING_FIELDS.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];

export const listUsersQuery = z.strictObject({
  search: z.string().max(150).optional(),
  is_staff: boolQuery.optional(),
  is_superuser: boolQuery.optional(),
  is_active: boolQuery.optional(),
  ordering: z.enum(orderingValues).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(500).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuery>;

export const idParam = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
