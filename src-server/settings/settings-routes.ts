import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../http/auth.ts';
import { parseInput } from '../http/validate.ts';
import type { Services } from '../services.ts';

const settingsBody = z.record(z.string().max(64), z.unknown());

/** Registered inside the admin prefix, so superusers only. */
export function settingsRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['admin: settings'];
  app.get('/settings', { schema: { summary: 'Runtime settings with values, defaults and descriptions', tags } }, async () => ({ results: await s.settings.describe() }));
  app.put('/settings', { schema: { summary: 'Change runtime settings: a JSON object of the keys to change', tags } }, async (request) => {
    const body = parseInput(settingsBody, request.body, 'body');
    return { results: await s.settings.update(actorOf(request), body) };
  });
}
