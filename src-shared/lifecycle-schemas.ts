import { z } from 'zod';
import { BULK_CALL_MAX_USERS } from './domain.ts';
import { userSchema } from './user-schemas.ts';

/**
 * An administrator's offboarding actions on users, as the embedded server
 * takes and answers them and the console sends them:
 * `sign_out` ends every session, JWT and refresh (keys too with
 * `revoke_keys`), `require_password_change` holds password sign-in until the
 * user picks a new password, `revoke_keys` revokes every usable key.
 */
export const LIFECYCLE_ACTIONS = ['sign_out', 'require_password_change', 'revoke_keys'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** `POST /users/:id/sign-out`: keys are kept unless asked. */
export const signOutBody = z.strictObject({
  revoke_keys: z.boolean().optional().meta({ description: "Also revoke every one of the user's personal keys (default: keys keep working)" }),
});

const userId = z.number().int().min(1).max(2_147_483_647);

/** `POST /users/lifecycle`: one action on up to 500 users, each id once. */
export const bulkLifecycleBody = z
  .strictObject({
    ids: z
      .array(userId)
      .min(1, 'send at least one id')
      .max(BULK_CALL_MAX_USERS, `send at most ${BULK_CALL_MAX_USERS} ids per call`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    action: z.enum(LIFECYCLE_ACTIONS, { error: `must be one of ${LIFECYCLE_ACTIONS.join(', ')}` }),
    revoke_keys: z.boolean().optional().meta({ description: 'With `sign_out` only: revoke their keys too' }),
  })
  .refine((b) => b.revoke_keys === undefined || b.action === 'sign_out', { message: 'revoke_keys goes only with action sign_out', path: ['revoke_keys'] });
export type BulkLifecycleBody = z.infer<typeof bulkLifecycleBody>;

/** What one action did to one user. */
export const userLifecycleAnswerSchema = z
  .object({
    user: userSchema,
    /** False when it was so already (nothing written, nothing audited). */
    changed: z.boolean(),
    must_change_password: z.boolean(),
    keys_revoked: z.number().int(),
  })
  .meta({ id: 'UserLifecycle' });
export type UserLifecycleAnswer = z.output<typeof userLifecycleAnswerSchema>;
