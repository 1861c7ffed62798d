import { z } from 'zod';
import type { AuditEntry, BulkActiveResult, InvitationView, MatchingUserIds, NewPersonalKey, Page, PersonalKey, RegistrationState, SettingView, User } from '../../src-shared/domain.ts';

/**
 * The embedded server's response shapes, checked on arrival. `z.object`
 * drops keys it does not name, so whatever else a server adds (GET /me's
 * `auth`, sign-up's `first_administrator`) never travels on to the renderer,
 * and a server of another version fails here with a clear sentence instead
 * of deep inside a screen.
 */
const isoTime = z.string().min(1);
const nullableTime = isoTime.nullable();

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string().nullable(),
  is_active: z.boolean(),
  is_staff: z.boolean(),
  is_superuser: z.boolean(),
  date_joined: isoTime,
  last_login: nullableTime,
}) satisfies z.ZodType<User>;

export const matchingIdsSchema = z.object({ count: z.number().int(), ids: z.array(z.number().int()) }) satisfies z.ZodType<MatchingUserIds>;

export const bulkActiveSchema = z.object({
  changed: z.array(userSchema),
  unchanged: z.array(userSchema),
  failed: z.array(z.object({ id: z.number().int(), code: z.string(), message: z.string() })),
}) satisfies z.ZodType<BulkActiveResult>;

const keyShape = {
  id: z.string().min(1),
  name: z.string(),
  prefix: z.string(),
  created_at: isoTime,
  last_used_at: nullableTime,
  expires_at: nullableTime,
  revoked_at: nullableTime,
  is_active: z.boolean(),
};
export const personalKeySchema = z.object(keyShape) satisfies z.ZodType<PersonalKey>;

/** The server sends a new key flat (the key's fields plus `secret` and `authorization`); the console nests it. */
export const newKeySchema = z
  .object({ ...keyShape, secret: z.string().min(1), authorization: z.string().min(1) })
  .transform(({ secret, authorization, ...key }): NewPersonalKey => ({ key, id: key.id, secret, authorization }));

export const pageOf = <T extends z.ZodType>(item: T) =>
  z
    .object({ count: z.number().int(), count_is_estimate: z.boolean().optional(), page: z.number().int(), page_size: z.number().int(), results: z.array(item) })
    // Absent rather than undefined when the count is exact, as the server sends it.
    .transform(({ count_is_estimate, ...rest }) => (count_is_estimate ? { ...rest, count_is_estimate } : rest)) satisfies z.ZodType<Page<z.output<T>>>;

export const resultsOf = <T extends z.ZodType>(item: T) => z.object({ results: z.array(item) }).transform((b) => b.results);

export const registrationSchema = z.object({
  has_users: z.boolean(),
  signups_open: z.boolean(),
  first_signup_needs_setup_token: z.boolean(),
  password_rules: z.array(z.string()),
}) satisfies z.ZodType<RegistrationState>;

export const signUpSchema = z.object({ user: userSchema, key: newKeySchema, token: z.string().min(1) });
export const createdUserSchema = z.object({ user: userSchema, key: newKeySchema });
export const tokenSchema = z.object({ token: z.string().min(1) });
export const mintedSchema = z.object({ token: z.string().min(1), expires_at: isoTime });

export const settingSchema = z.object({
  key: z.string(),
  value: z.unknown(),
  default: z.unknown(),
  type: z.enum(['boolean', 'number', 'text', 'datetime', 'other']),
  description: z.string(),
  updated_at: nullableTime,
  updated_by: z.string().nullable(),
}) satisfies z.ZodType<SettingView>;

const invitationShape = {
  id: z.string().min(1),
  note: z.string().nullable(),
  grant_staff: z.boolean(),
  created_by: z.string(),
  created_at: isoTime,
  expires_at: isoTime,
  used_at: nullableTime,
  used_by: z.number().int().nullable(),
  // Older servers do not send it.
  used_by_username: z.string().nullable().optional().transform((v) => v ?? null),
  revoked_at: nullableTime,
  status: z.enum(['pending', 'used', 'expired', 'revoked']),
};
export const invitationSchema = z.object(invitationShape) satisfies z.ZodType<InvitationView>;

/** 201 answer to creating an invitation: the view flat, plus the link's token and path (shown once). */
export const createdInvitationSchema = z
  .object({ ...invitationShape, token: z.string().min(1), path: z.string().min(1), url: z.string().nullable().optional() })
  .transform(({ token, path, url, ...invitation }) => ({ invitation, token, path, url: url ?? null }));

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoTime,
  actor_id: z.number().int().nullable(),
  actor: z.string(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  target: z.string().nullable(),
  client_ip: z.string().nullable(),
  outcome: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
}) satisfies z.ZodType<AuditEntry>;
