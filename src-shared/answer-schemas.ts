import { z } from 'zod';
import type { AuditEntry, BulkActiveResult, InvitationView, MatchingUserIds, PersonalKey, RegistrationState, SettingView } from './domain.ts';
import { userSchema } from './user-schemas.ts';

/**
 * The embedded server's JSON answers, once: the server declares them as its
 * route response schemas (so it serializes exactly these fields and nothing
 * else), and the console checks what arrives against them (main's
 * wire-schemas.ts adds the reshaping it wants on top). Each is tied to its
 * domain type with `satisfies`, so the two cannot drift apart.
 */
const time = z.string().min(1).meta({ format: 'date-time' });
const nullableTime = time.nullable();

export const personalKeySchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    prefix: z.string(),
    created_at: time,
    last_used_at: nullableTime,
    expires_at: nullableTime,
    revoked_at: nullableTime,
    is_active: z.boolean(),
  })
  .meta({ id: 'PersonalKey' }) satisfies z.ZodType<PersonalKey>;

/** A new key as the server sends it, once: the key's fields, its secret and a ready-made Authorization header. */
export const newKeyAnswerSchema = personalKeySchema.extend({ secret: z.string().min(1), authorization: z.string().min(1) }).meta({ id: 'NewPersonalKey' });

/** One page of a list; `count_is_estimate` is present (true) only when the count is an estimate. */
export const pageAnswerSchema = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int(), count_is_estimate: z.boolean().optional(), page: z.number().int(), page_size: z.number().int(), results: z.array(item) });

export const resultsAnswerSchema = <T extends z.ZodType>(item: T) => z.object({ results: z.array(item) });

export const matchingIdsSchema = z.object({ count: z.number().int(), ids: z.array(z.number().int()) }) satisfies z.ZodType<MatchingUserIds>;

export const bulkActiveSchema = z.object({
  changed: z.array(userSchema),
  unchanged: z.array(userSchema),
  failed: z.array(z.object({ id: z.number().int(), code: z.string(), message: z.string() })),
}) satisfies z.ZodType<BulkActiveResult>;

export const registrationSchema = z.object({
  has_users: z.boolean(),
  signups_open: z.boolean(),
  first_signup_needs_setup_token: z.boolean(),
  password_rules: z.array(z.string()),
}) satisfies z.ZodType<RegistrationState>;

export const settingSchema = z
  .object({
    key: z.string(),
    value: z.unknown(),
    default: z.unknown(),
    type: z.enum(['boolean', 'number', 'text', 'datetime', 'other']),
    description: z.string(),
    updated_at: nullableTime,
    updated_by: z.string().nullable(),
    read_only: z.boolean().optional(),
  })
  .meta({ id: 'Setting' }) satisfies z.ZodType<SettingView>;

export const invitationSchema = z
  .object({
    id: z.string().min(1),
    note: z.string().nullable(),
    grant_staff: z.boolean(),
    created_by: z.string(),
    created_at: time,
    expires_at: time,
    used_at: nullableTime,
    used_by: z.number().int().nullable(),
    used_by_username: z.string().nullable(),
    revoked_at: nullableTime,
    status: z.enum(['pending', 'used', 'expired', 'revoked']),
  })
  .meta({ id: 'Invitation' }) satisfies z.ZodType<InvitationView>;

/** A new invitation, once: the view, the link's token and path, and the whole link when the server knows its public address. */
export const createdInvitationAnswerSchema = invitationSchema.extend({ token: z.string().min(1), path: z.string().min(1), url: z.string().nullable() });

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: time,
    actor_id: z.number().int().nullable(),
    actor: z.string(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    target: z.string().nullable(),
    client_ip: z.string().nullable(),
    outcome: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' }) satisfies z.ZodType<AuditEntry>;

export const tokenAnswerSchema = z.object({ token: z.string().min(1) });
/** A JWT minted for API use, and when it expires. */
export const mintedAnswerSchema = z.object({ token: z.string().min(1), expires_at: time });
export const createdUserAnswerSchema = z.object({ user: userSchema, key: newKeyAnswerSchema });
/** `first_administrator`: this sign-up made the installation's first superuser. */
export const signupAnswerSchema = z.object({ user: userSchema, key: newKeyAnswerSchema, token: z.string().min(1), first_administrator: z.boolean() });
