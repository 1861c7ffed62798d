import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { zodRoutes } from '../http/route-schemas.ts';
import { auditEntrySchema, pageAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { exportFileName } from '../../src-shared/user-export.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import { idSegment } from '../users/users-schemas.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditService } from './audit-service.ts';
import type { AuditExport } from './audit-export.ts';
import type { AuditFilter } from './audit-repo.ts';

const filters = {
  action: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  target_user_id: idSegment.optional().meta({ description: 'Entries about this user (by id): what was done to them' }),
  target: z.string().max(200).optional().meta({ description: "Entries about this name as recorded (a deleted or renamed user's name)" }),
};
const auditQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(500).optional(),
  ...filters,
});
const auditExportQuery = z.strictObject(filters);

const filterOf = (q: z.infer<typeof auditExportQuery>): AuditFilter => ({
  action: q.action,
  actor: q.actor,
  outcome: q.outcome,
  targetUserId: q.target_user_id,
  target: q.target,
});

/** Registered inside the admin prefix, so superusers only. */
export function auditRoutes(app: FastifyInstance, s: { audit: AuditService; auditExport: AuditExport; clock: Clock }): void {
  const api = zodRoutes(app);
  const doc = { tags: ['admin: audit'], security: SIGNED_IN };
  api.get(
    '/audit',
    { schema: { summary: 'The audit log, newest first, paged', ...doc, querystring: auditQuery, response: { 200: pageAnswerSchema(auditEntrySchema) } } },
    async (request) => {
      const q = request.query;
      const page = q.page ?? 1;
      const pageSize = q.page_size ?? 50;
      const { count, results } = await s.audit.list({ page, pageSize, ...filterOf(q) });
      return { count, page, page_size: pageSize, results };
    },
  );
  api.get(
    '/audit/export',
    {
      schema: {
        summary: 'The audit log as CSV (every matching entry, newest first; the same filters as the list)',
        ...doc,
        querystring: auditExportQuery,
        response: { 200: z.string().meta({ description: 'text/csv: UTF-8, a header row, RFC 4180, formula cells neutralised' }) },
      },
    },
    async (request, reply) => {
      const name = exportFileName('audit', 'csv', s.clock.now());
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
      // A stream is sent as it is, never through the serializer: the schema above only documents the text it carries.
      return reply.send(Readable.from(s.auditExport.csv(filterOf(request.query))) as unknown as string);
    },
  );
}
