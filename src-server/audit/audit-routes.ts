import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { zodRoutes } from '../http/route-schemas.ts';
import { auditEntrySchema, pageAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import type { AuditService } from './audit-service.ts';

const auditQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(500).optional(),
  action: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
});

/** Registered inside the admin prefix, so superusers only. */
export function auditRoutes(app: FastifyInstance, s: { audit: AuditService }): void {
  zodRoutes(app).get(
    '/audit',
    {
      schema: {
        summary: 'The audit log, newest first, paged',
        tags: ['admin: audit'],
        security: SIGNED_IN,
        querystring: auditQuery,
        response: { 200: pageAnswerSchema(auditEntrySchema) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = q.page ?? 1;
      const pageSize = q.page_size ?? 50;
      const { count, results } = await s.audit.list({ page, pageSize, action: q.action, actor: q.actor, outcome: q.outcome });
      return { count, page, page_size: pageSize, results };
    },
  );
}
