import type { FastifyInstance } from 'fastify';
import { zodRoutes } from '../http/route-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { actorOf } from '../tokens/guard.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { importReportSchema, userImportBodySchema } from '../../src-shared/user-import-schemas.ts';
import type { UserImport } from './user-import-service.ts';

/** The file in base64 (8 MiB at most, taken a little past it so an over-large file is refused with its size) and the JSON around it. */
export const IMPORT_BODY_LIMIT = 24 * 1024 * 1024;

/**
 * POST /api/v2/admin/users/import (superusers, app.ts): users from a CSV or
 * JSON-lines file, dry run or for real; the report is per row, by line.
 */
export function userImportRoutes(app: FastifyInstance, s: { userImport: UserImport; settings: Pick<SettingsService, 'values'> }): void {
  zodRoutes(app).post(
    '/users/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        summary: 'Import users from a CSV or JSON-lines file (base64): a dry run first, then all or nothing unless continue_on_error',
        tags: ['admin: users'],
        security: SIGNED_IN,
        body: userImportBodySchema,
        response: { 200: importReportSchema },
      },
    },
    async (request) => {
      const b = request.body;
      const { PUBLIC_URL } = await s.settings.values();
      return s.userImport.run(actorOf(request), Buffer.from(b.content, 'base64'), {
        format: b.format,
        dryRun: b.dry_run,
        mode: b.mode,
        onExisting: b.on_existing,
        continueOnError: b.continue_on_error,
        withKeys: b.with_keys,
        publicUrl: typeof PUBLIC_URL === 'string' && PUBLIC_URL ? PUBLIC_URL : null,
      });
    },
  );
}
