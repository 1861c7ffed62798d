import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../http/validate.ts';
import { emailSchema, passwordSchema, usernameSchema } from '../users/users-schemas.ts';
import { describePasswordRules } from '../lib/password-policy.ts';
import type { Services } from '../services.ts';

const signupBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  email: z.union([emailSchema, z.literal(''), z.null()]).optional().transform((v) => (v === '' ? null : v)),
  setup_token: z.string().max(256).optional(),
});

export function signupRoutes(app: FastifyInstance, s: Services): void {
  app.post('/api/v2/auth/signup', { schema: { summary: 'Self-registration; the first account becomes superuser + staff', tags: ['registration'] } }, async (request, reply) => {
    const body = parseInput(signupBody, request.body, 'body');
    const result = await s.signup.signup(body, request.ip);
    return reply.status(201).send({
      user: result.user,
      key: { ...result.key.key, id: result.key.id, secret: result.key.secret, authorization: result.key.authorization },
      token: result.token,
      first_administrator: result.first,
    });
  });

  app.get('/api/v2/auth/registration', { schema: { summary: 'Whether sign-up is open, and the password rules', tags: ['registration'] } }, async () => ({
    ...(await s.signup.state()),
    password_rules: describePasswordRules(s.config.passwordMinLength),
  }));
}
