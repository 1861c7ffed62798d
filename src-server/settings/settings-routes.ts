import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { zodRoutes } from '../http/route-schemas.ts';
import { resultsAnswerSchema, settingSchema } from '../../src-shared/answer-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf } from '../tokens/guard.ts';
import { SETTING_KEYS, SETTINGS } from './settings-registry.ts';
import type { SettingsService } from './settings-service.ts';

/**
 * The keys to change and their values. Judged key by key by the settings
 * service (an unknown key is UNKNOWN_SETTING, not VALIDATION), so the schema
 * only bounds the keys; the document lists the known ones from the registry.
 */
const settingsBody = z.record(z.string().max(64), z.unknown()).meta({
  description: 'A JSON object of the settings to change',
  properties: Object.fromEntries(
    SETTING_KEYS.map((key) => {
      const { $schema: _drop, ...value } = z.toJSONSchema(SETTINGS[key].schema, { io: 'input' });
      return [key, { ...value, description: SETTINGS[key].description }];
    }),
  ),
});
const settingsAnswer = resultsAnswerSchema(settingSchema);

/** Registered inside the admin prefix, so superusers only. */
export function settingsRoutes(app: FastifyInstance, s: { settings: SettingsService }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: settings'], security: SIGNED_IN };
  api.get(
    '/settings',
    { schema: { summary: 'Runtime settings with values, defaults and descriptions', ...doc, response: { 200: settingsAnswer } } },
    async () => ({ results: await s.settings.describe() }),
  );
  api.put(
    '/settings',
    { schema: { summary: 'Change runtime settings: a JSON object of the keys to change', ...doc, body: settingsBody, response: { 200: settingsAnswer } } },
    async (request) => ({
      results: await s.settings.update(actorOf(request), request.body),
    }),
  );
}
