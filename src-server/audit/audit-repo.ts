import type { Kysely, Transaction } from 'kysely';
import type { AuditRow, Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { statement } from '../db/statements.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface AuditEntryInput {
  at: string;
  actorId: number | null;
  actor: string;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  target?: string | null;
  clientIp: string | null;
  outcome: 'success' | 'failure';
  detail?: Record<string, unknown> | null;
}

export interface AuditQuery {
  page: number;
  pageSize: number;
  action?: string | undefined;
  actor?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  /** The user affected, by id (entries about a user record its id as target_id). */
  targetUserId?: number | undefined;
  /** The affected thing's name as recorded (a deleted or renamed user's old name). */
  target?: string | undefined;
}

export type AuditFilter = Omit<AuditQuery, 'page' | 'pageSize'>;

/**
 * Audit text comes partly from clients (a typed username): control characters
 * are replaced so a NUL (which PostgreSQL cannot store) or a terminal escape
 * never reaches the log or a terminal reading `audit`.
 */
function clean(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.replace(/\p{Cc}/gu, '\uFFFD').slice(0, max);
}

const INSERT = statement(
  'insert into audit_log (at, actor_id, actor, action, target_type, target_id, target, client_ip, outcome, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);

function filtered(q: Q, f: AuditFilter) {
  let base = q.selectFrom('audit_log');
  if (f.action) base = base.where('action', '=', f.action);
  if (f.actor) base = base.where('actor', '=', f.actor);
  if (f.outcome) base = base.where('outcome', '=', f.outcome);
  if (f.targetUserId !== undefined) base = base.where('target_type', '=', 'user').where('target_id', '=', String(f.targetUserId));
  if (f.target) base = base.where('target', '=', f.target);
  return base;
}

export function createAuditRepo(db: Pick<Db, 'statements'>) {
  const st = db.statements;
  return {
    /** One autocommit row (or part of `q`'s transaction); SQLite's WAL commit is a write, not an fsync (synchronous=NORMAL). */
    async insert(q: Q, e: AuditEntryInput): Promise<void> {
      await st.run(q, INSERT, [
        e.at,
        e.actorId,
        clean(e.actor, 200) ?? '',
        e.action,
        e.targetType ?? null,
        e.targetId ?? null,
        clean(e.target, 200),
        clean(e.clientIp, 64),
        e.outcome,
        e.detail ? JSON.stringify(e.detail) : null,
      ]);
    },
    async page(q: Q, query: AuditQuery): Promise<{ count: number; rows: AuditRow[] }> {
      const base = filtered(q, query);
      const countRow = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
      const rows = await base
        .selectAll()
        .orderBy('id', 'desc')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute();
      return { count: Number(countRow?.n ?? 0), rows };
    },
    /** Up to `limit` entries older than `beforeId` (all when null), newest first: the export walks the log by id. */
    async olderThan(q: Q, filter: AuditFilter, beforeId: number | null, limit: number): Promise<AuditRow[]> {
      let base = filtered(q, filter);
      if (beforeId !== null) base = base.where('id', '<', beforeId);
      return base.selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
