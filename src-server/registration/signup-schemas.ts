import { z } from 'zod';
import { emailSchema, passwordSchema, usernameSchema } from '../users/users-schemas.ts';

/** Sign-up input, from the API or the sign-up page alike: the service validates it itself. */
export const signupInput = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  email: z
    .union([emailSchema, z.literal(''), z.null()])
    .optional()
    .transform((v) => (v === '' ? null : v)),
  setup_token: z.string().max(256).optional(),
});
export type SignupInput = z.input<typeof signupInput>;
