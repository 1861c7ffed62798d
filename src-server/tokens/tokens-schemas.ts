import { z } from 'zod';
import { tokenAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { passwordSchema } from '../../src-shared/user-schemas.ts';

/**
 * Graphistry's token API as its clients send it: loose objects (unknown
 * fields are ignored, as djangorestframework-jwt ignores them) and
 * answers in its shape.
 */
const orgName = z
  .string()
  .max(150)
  .nullable()
  .optional()
  .meta({ description: "The organization to sign in to; each user's personal organization is their username" });

export const loginBody = z.object({
  // Any name an account has (older rules let more through), or its email: unknown ones simply fail to sign in.
  username: z.string().min(1, 'is required').max(254).meta({ description: 'A username or an email' }),
  password: passwordSchema,
  org_name: orgName,
  /** Sent by the admin console: a sign-in that is not a superuser's is refused, audited as a failure, and leaves last login alone. */
  require_superuser: z.boolean().optional(),
});

export const tokenBody = z.object({ token: z.string().min(1, 'is required').max(4096) });

/** A refresh may name an organization to switch to (members only); without one the token keeps its session's. */
export const refreshBody = tokenBody.extend({ org_name: orgName });

/** The personal-key exchange's optional body (Graphistry's JS client sends it even with GET). */
export const orgBody = z.looseObject({ org_name: orgName });

/**
 * pygraphistry posts `slug=<slug>` as a form; the body is read only for that
 * field, as Django's view reads request.POST, so any other body (a JSON
 * array, a bare string) is as good as none.
 */
export const switchBody = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {}),
  z.looseObject({ slug: z.string().optional() }),
);
export const switchParams = z.object({ slug: z.string().min(1).max(200) });

/**
 * pygraphistry refuses a sign-in whose slug differs from the `org_name` it
 * sent, then checks `is_found` and `is_member`; a refresh answers the same.
 */
export const signInAnswerSchema = tokenAnswerSchema.extend({
  active_organization: z.object({
    slug: z.string().meta({ description: 'The org_name as sent (any case), or the username when none was' }),
    is_found: z.boolean(),
    is_member: z.boolean(),
  }),
});

export const switchAnswerSchema = z.object({ status: z.literal('OK') });

/** The public key that verifies this server's JWTs (ES256, so an EC P-256 key). */
export const jwksAnswerSchema = z.object({
  keys: z.array(z.object({ kty: z.literal('EC'), crv: z.string(), x: z.string(), y: z.string(), alg: z.string(), use: z.literal('sig'), kid: z.string() })),
});
