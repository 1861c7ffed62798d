import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { zodRoutes } from '../http/route-schemas.ts';
import { exportFileName } from '../../src-shared/user-export.ts';
import { SIGNED_IN } from '../openapi/openapi.ts';
import type { Clock } from '../lib/clock.ts';
import { exportUsersQuery } from './users-schemas.ts';
import type { UsersExport } from './users-export.ts';

/** `GET /api/v2/admin/users/export`: registered under /api/v2/admin, superusers only (app.ts). */
export function usersExportRoutes(app: FastifyInstance, s: { usersExport: UsersExport; clock: Clock }): void {
  zodRoutes(app).get(
    '/users/export',
    {
      schema: {
        summary: "Every user the list's filters, search and ordering match, as CSV or JSON, streamed (no secrets: the list's columns and how each signs in)",
        tags: ['admin: users'],
        security: SIGNED_IN,
        querystring: exportUsersQuery,
        response: {
          200: z.string().meta({
            description: 'text/csv (UTF-8, a header row, RFC 4180, formula cells neutralised) or application/json (an array of users)',
          }),
        },
      },
    },
    async (request, reply) => {
      const { format = 'csv', ...query } = request.query;
      const { chunks } = await s.usersExport.open(query, format);
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${exportFileName('users', format, s.clock.now())}"`);
      // A stream is sent as it is, never through the serializer: the schema above only documents the text it carries.
      return reply.send(Readable.from(chunks) as unknown as string);
    },
  );
}
