import { z } from 'zod';
import { optionalEmailSchema, passwordSchema, usernameSchema } from '../../src-shared/user-schemas.ts';

/** Sign-up input, from the API or the sign-up page alike: the service validates it itself. */
export const signupInput = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  email: optionalEmailSchema,
  setup_token: z.string().max(256).optional(),
});
export type SignupInput = z.input<typeof signupInput>;
