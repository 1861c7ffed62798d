import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditQuery, AuditRepo } from './audit-repo.ts';
import type { AuditEntry } from '../../src-shared/domain.ts';
import { redactFields } from '../http/redact.ts';

/** Who is acting, as the audit log records it. `userId` is null for the CLI and for anonymous callers. */
export interface Actor {
  userId: number | null;
  username: string;
  ip: string | null;
  /** The role this actor was allowed in with, re-checked where a privileged write commits (auth/privileged-writes.ts). */
  requires?: 'user' | 'superuser';
}

export interface AuditEvent {
  action: string;
  outcome?: 'success' | 'failure';
  targetType?: string;
  targetId?: string | number;
  target?: string;
  /** Never a secret: callers pass names, flags and changed field names only (`redactFields` is the net under that rule). */
  detail?: Record<string, unknown>;
}

export type { AuditEntry };

export function createAuditService(deps: { db: Kysely<Database>; repo: AuditRepo; clock: Clock }) {
  const { db, repo, clock } = deps;
  return {
    /** Record an event; pass `q` to write inside the caller's transaction so the event and the change land together. */
    async record(actor: Actor, event: AuditEvent, q: Kysely<Database> | Transaction<Database> = db): Promise<void> {
      await repo.insert(q, {
        at: clock.now().toISOString(),
        actorId: actor.userId,
        actor: actor.username,
        action: event.action,
        targetType: event.targetType ?? null,
        targetId: event.targetId === undefined ? null : String(event.targetId),
        target: event.target ?? null,
        clientIp: actor.ip,
        outcome: event.outcome ?? 'success',
        detail: event.detail ? redactFields(event.detail) : null,
      });
    },
    async list(query: AuditQuery): Promise<{ count: number; results: AuditEntry[] }> {
      const { count, rows } = await repo.page(db, query);
      return {
        count,
        results: rows.map((r) => ({ ...r, id: Number(r.id), detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null })),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
