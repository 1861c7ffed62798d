import { z } from 'zod';

/**
 * The user, the new user and the patch, and the rules their fields follow:
 * declared once here and derived everywhere else (the server's route
 * schemas, the console bridge's parameters, main's backend types and the
 * domain type `User`). The server adds the checks that need its data on top
 * (a name taken, or looking like another: src-server/lib/username-identity.ts).
 */

/** Django's `normalize_username`: compatibility characters become the ones they stand for (fullwidth `ａｄｍｉｎ` is `admin`). */
export function normalizeUsername(name: string): string {
  return name.normalize('NFKC');
}

/**
 * Characters a name may not hold although they are letters: Unicode's
 * Default_Ignorable_Code_Point, which fonts draw as nothing. The Hangul
 * fillers (U+115F, U+1160, U+3164, U+FFA0) are letters (Lo) and ignorable,
 * so `alice` + U+1160 passed the letters-only rule and read as `alice`.
 */
export const INVISIBLE_IN_NAMES = /[\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0]/u;

/** The rule an invisible character breaks, named so the person sees why a name that looks fine is refused. */
export const INVISIBLE_NAME_MESSAGE =
  'must not contain invisible characters (Unicode Default_Ignorable code points such as Hangul fillers or zero-width spaces)';

const USERNAME_MAX = 150;
const USERNAME_CHARACTERS = /^[\p{L}\p{N}_.@+-]+$/u;

/** Django's characters and length, as Django judges any name it stores. */
const djangoName = z.string().min(1, 'is required').max(USERNAME_MAX, `must be at most ${USERNAME_MAX} characters`);
const CHARACTERS_MESSAGE = 'may contain only letters, digits and @ . + - _';

/**
 * Django's username rule: letters, digits and @.+-_ only, at most 150
 * characters, judged (and stored) in NFKC form as Django's
 * `normalize_username` does; and no invisible letters, which that rule lets
 * through. Only new names meet all of it: a sign-in takes a name as it was
 * stored (`signInUsernameSchema`).
 */
export const usernameSchema = z
  .string()
  .transform(normalizeUsername)
  .pipe(djangoName.refine((name) => !INVISIBLE_IN_NAMES.test(name), INVISIBLE_NAME_MESSAGE).regex(USERNAME_CHARACTERS, CHARACTERS_MESSAGE))
  // The document shows the rule the pipe applies after normalising (JSON Schema cannot say "after NFKC").
  .meta({
    description: `Letters, digits and @ . + - _ only, at most ${USERNAME_MAX} characters, judged in Unicode NFKC form (as Django's normalize_username); no invisible (Default_Ignorable) characters`,
    maxLength: USERNAME_MAX,
    pattern: USERNAME_CHARACTERS.source,
  });

/**
 * A name to sign in with (and the one a connection remembers): Django's
 * characters and length as they were when the account was made, so a name
 * from before the invisible-letter rule or NFKC storage still signs in.
 */
export const signInUsernameSchema = djangoName.regex(USERNAME_CHARACTERS, CHARACTERS_MESSAGE);

export const emailSchema = z
  .string()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u, 'must be a valid email address');

/** An email to set, or none: `''` and null both mean "no email" (a cleared form field sends ''). */
export const optionalEmailSchema = z
  .union([emailSchema, z.literal(''), z.null()])
  .transform((v) => (v === '' ? null : v))
  .optional();

/** Length and content are judged by the server's password policy, which names the failed rule; this only bounds the input. */
export const passwordSchema = z.string().min(1, 'is required').max(4096, 'is too long');

const roles = {
  is_active: z.boolean().optional(),
  is_staff: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
};

/** A new user, as a superuser creates one. */
export const userInputSchema = z.strictObject({ username: usernameSchema, password: passwordSchema, email: optionalEmailSchema, ...roles });

/** An edit of a user: only the fields sent change. */
export const userPatchSchema = z
  .strictObject({ username: usernameSchema.optional(), email: optionalEmailSchema, ...roles })
  // Judged only when every field sent is known: `{is_god: true}` is about is_god, not an empty patch.
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change', when: (payload) => payload.issues.length === 0 });

const isoTime = z.string().min(1).meta({ format: 'date-time' });

/** A user as the server answers it (snake_case, as Graphistry's own Django API spells it). */
export const userSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string().nullable(),
    is_active: z.boolean(),
    is_staff: z.boolean(),
    is_superuser: z.boolean(),
    date_joined: isoTime,
    last_login: isoTime.nullable(),
  })
  .meta({ id: 'User' });

export type User = z.output<typeof userSchema>;

/** The Users list's sign-in filter: only a password, only single sign-on, or both. */
export const SIGN_IN_METHODS = ['password', 'sso', 'both'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/**
 * How a user signs in: whether they have a usable password (an account made
 * through single sign-on has none until an admin sets one) and the IdPs of
 * their linked SSO identities, each a site-wide IdP (`organization` null) or
 * an organization's (its slug); `idp` is null when the IdP has been removed.
 */
export const signInSchema = z
  .object({
    password: z.boolean(),
    sso: z.array(z.object({ idp: z.string().nullable(), organization: z.string().nullable() })),
  })
  .meta({ id: 'UserSignIn' });
export type SignIn = z.output<typeof signInSchema>;

/** A user as the admin list answers it: the user and how they sign in. */
export const listedUserSchema = userSchema.extend({ sign_in: signInSchema }).meta({ id: 'ListedUser' });
export type ListedUser = z.output<typeof listedUserSchema>;
/** A new user as main passes it to a backend (the bridge has parsed it: the name in NFKC form, a blank email null). */
export type UserInput = z.output<typeof userInputSchema>;
export type UserPatch = z.output<typeof userPatchSchema>;

/** What LAST_SUPERUSER says beside each field that would leave no active superuser. */
export const LAST_SUPERUSER_FIELD_MESSAGE = 'is the last active superuser';

/**
 * The fields of `patch` that would demote or deactivate the last active
 * superuser, for the refusal to name (a deletion names none): the editor
 * shows the refusal beside those checkboxes.
 */
export function lastSuperuserFields(patch: Pick<UserPatch, 'is_active' | 'is_superuser'>): Array<{ field: 'is_superuser' | 'is_active'; message: string }> {
  const fields: Array<{ field: 'is_superuser' | 'is_active'; message: string }> = [];
  if (patch.is_superuser === false) fields.push({ field: 'is_superuser', message: LAST_SUPERUSER_FIELD_MESSAGE });
  if (patch.is_active === false) fields.push({ field: 'is_active', message: LAST_SUPERUSER_FIELD_MESSAGE });
  return fields;
}
