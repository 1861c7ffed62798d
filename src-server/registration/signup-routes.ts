import type { FastifyInstance } from 'fastify';
import { describePasswordRules } from '../lib/password-policy.ts';
import { zodRoutes } from '../http/route-schemas.ts';
import { registrationSchema, signupAnswerSchema } from '../../src-shared/answer-schemas.ts';
import type { ServerConfig } from '../config.ts';
import { signupInput } from './signup-schemas.ts';
import type { SignupService } from './signup-service.ts';

export function signupRoutes(app: FastifyInstance, s: { signup: SignupService; config: Pick<ServerConfig, 'passwordMinLength'> }): void {
  const api = zodRoutes(app);
  const tags = ['registration'];
  api.post(
    '/api/v2/auth/signup',
    { schema: { summary: 'Self-registration; the first account becomes superuser + staff', tags, body: signupInput, response: { 201: signupAnswerSchema } } },
    async (request, reply) => {
      const result = await s.signup.signup(request.body, request.ip);
      return reply.status(201).send({
        user: result.user,
        key: { ...result.key.key, id: result.key.id, secret: result.key.secret, authorization: result.key.authorization },
        token: result.token,
        first_administrator: result.first,
      });
    },
  );

  api.get(
    '/api/v2/auth/registration',
    { schema: { summary: 'Whether sign-up is open, and the password rules', tags, response: { 200: registrationSchema } } },
    async () => ({
      ...(await s.signup.state()),
      password_rules: describePasswordRules(s.config.passwordMinLength),
    }),
  );
}
