import { z } from 'zod';
import { BULK_CALL_MAX_USERS, BULK_MAX_USERS, USER_ORDERING_FIELDS } from '../../src-shared/domain.ts';
import { SIGN_IN_METHODS, passwordSchema, userInputSchema, userPatchSchema, userSchema } from '../../src-shared/user-schemas.ts';
import { keyId } from '../keys/keys-schemas.ts';
import { USER_EXPORT_FORMATS } from '../../src-shared/user-export.ts';

/** The shared user rules (src-shared/user-schemas.ts) are the API's bodies as they are; the service adds the checks that need the database. */
export const createUserBody = userInputSchema;
/** What callers pass (the service parses it itself: the command line has no route schema in front). */
export type CreateUserInput = z.input<typeof createUserBody>;

export const updateUserBody = userPatchSchema;
export type UpdateUserInput = z.input<typeof updateUserBody>;

export const setPasswordBody = z.strictObject({ password: passwordSchema });

/** GET /me: the caller, and how this request was authenticated (the key's id when by a personal key or a JWT made from one). */
export const meAnswerSchema = userSchema.extend({ auth: z.object({ via: z.enum(['jwt', 'personal_key']), key_id: z.string().nullable() }) });

/** A signed-in user's own change: the current password proves it is them, not just their token. */
export const changePasswordBody = z.strictObject({ current_password: passwordSchema, password: passwordSchema });

const boolQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const orderingValues = USER_ORDERING_FIELDS.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];

/** A calendar day, YYYY-MM-DD, that exists (2026-02-30 does not). */
const joinedBefore = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a day as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a day of the calendar');

export const listUsersQuery = z.strictObject({
  // Usernames and emails never hold control characters, so a search with one is a mistake (and NUL would reach PostgreSQL).
  search: z
    .string()
    .max(150)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .optional(),
  is_staff: boolQuery.optional(),
  is_superuser: boolQuery.optional(),
  is_active: boolQuery.optional(),
  sign_in: z
    .enum(SIGN_IN_METHODS, { error: `must be one of ${SIGN_IN_METHODS.join(', ')}` })
    .optional()
    .meta({ description: 'Users who sign in only with a password (`password`), only through single sign-on (`sso`), or with both (`both`)' }),
  never_signed_in: boolQuery
    .optional()
    .meta({ description: '`true`: only users who have never signed in; `false`: only users who have signed in at least once' }),
  inactive_days: z.coerce.number().int().min(1).max(36_500).optional().meta({
    description:
      'Dormant users: no sign-in for this many days (last sign-in older than now minus N days). Users who have never signed in are included (add `never_signed_in=false` to leave them out).',
  }),
  joined_before: joinedBefore.optional().meta({ description: 'Users who joined before this day (YYYY-MM-DD, the start of the day in UTC)' }),
  ordering: z.enum(orderingValues).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(500).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuery>;

/** The list's filters, search and ordering, and how many ids to send back (no page: the ids are the first `limit` matches). */
export const userIdsQuery = listUsersQuery.omit({ page: true, page_size: true }).extend({
  limit: z.coerce.number().int().min(1).max(BULK_MAX_USERS).optional(),
});
export type UserIdsQuery = z.infer<typeof userIdsQuery>;

/** The list's filters, search and ordering, and the file's format: every match is exported, not a page. */
export const exportUsersQuery = listUsersQuery.omit({ page: true, page_size: true }).extend({
  format: z
    .enum(USER_EXPORT_FORMATS, { error: 'must be csv or json' })
    .optional()
    .meta({ description: '`csv` (the default: UTF-8, a header row, RFC 4180, formula cells neutralised) or `json` (an array)' }),
});
export type ExportUsersQuery = z.infer<typeof exportUsersQuery>;

const userId = z.number().int().min(1).max(2_147_483_647);

/** Users to activate or deactivate: each id once (a repeat is a caller's mistake, and would be judged twice). */
export const setActiveBody = z.strictObject({
  ids: z
    .array(userId)
    .min(1, 'send at least one id')
    .max(BULK_CALL_MAX_USERS, `send at most ${BULK_CALL_MAX_USERS} ids per call`)
    .superRefine((ids, ctx) => {
      const seen = new Set<number>();
      const repeated = new Set(ids.filter((id) => seen.size === seen.add(id).size));
      if (repeated.size) ctx.addIssue({ code: 'custom', message: `must not repeat an id (${[...repeated].slice(0, 5).join(', ')})` });
    }),
  is_active: z.boolean(),
});

/**
 * A user id in a path, read as Django's `<int:pk>` converter reads it: digits
 * only. (Coercing with Number() let "0x2", " 2" and "2e0" alias user 2.)
 */
export const idSegment = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'is not an id')
  .transform(Number)
  .pipe(z.number().int().min(1).max(2_147_483_647));

export const idParam = z.strictObject({ id: idSegment });
/** One of a user's keys. */
export const keyParams = z.strictObject({ id: idSegment, keyId });
