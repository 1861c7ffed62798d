import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditQuery, AuditRepo } from './audit-repo.ts';
import type { AuditEntry } from '../../src-shared/domain.ts';
import { redactFields, redactSecretText } from '../lib/redact.ts';
import { hmacSha256Hex } from '../lib/crypto.ts';

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

/** Characters of an unknown typed name the log keeps, so an admin can still tell `alcie` (a typo) from `eyJ…` (a token). */
const SHOWN_OF_UNKNOWN = 3;

export function createAuditService(deps: { db: Pick<Db, 'read' | 'write'>; repo: AuditRepo; clock: Clock; secretKey: Buffer }) {
  const { db, repo, clock } = deps;
  // Domain-separated from the other uses of `.env`'s general secret (sessions, CSRF, invitations).
  const markerKey = Buffer.from(hmacSha256Hex(deps.secretKey, 'graphistry-admin/audit/unknown-name/v1'), 'hex');
  return {
    /**
     * What the log keeps of a typed sign-in name that names no account: its
     * first characters and a short keyed hash (`ali…#3f9a1c2b`). Anything
     * may be typed there (a password, a whole `PersonalKey id:secret`, an
     * invitation token) and every superuser reads the log; the hash is the
     * same for the same text, so repeated tries still group (and the actor
     * filter finds them), and without `.env` it cannot be tested against
     * guesses. `#` is in no username, so a marker never names an account.
     */
    unknownName(typed: string): string {
      const shown = Array.from(typed.replace(/\p{Cc}/gu, '\uFFFD'))
        .slice(0, SHOWN_OF_UNKNOWN)
        .join('');
      return `${shown}…#${hmacSha256Hex(markerKey, typed).slice(0, 8)}`;
    },

    /**
     * Record an event; pass `q` to write inside the caller's transaction so
     * the event and the change land together. Actor, target and detail go
     * through the secret net (lib/redact.ts) whoever the caller is: a
     * typed name or a key's name may be a pasted credential.
     */
    async record(actor: Actor, event: AuditEvent, q: Kysely<Database> | Transaction<Database> = db.write): Promise<void> {
      await repo.insert(q, {
        at: clock.now().toISOString(),
        actorId: actor.userId,
        actor: redactSecretText(actor.username),
        action: event.action,
        targetType: event.targetType ?? null,
        targetId: event.targetId === undefined ? null : String(event.targetId),
        target: event.target === undefined ? null : redactSecretText(event.target),
        clientIp: actor.ip,
        outcome: event.outcome ?? 'success',
        detail: event.detail ? redactFields(event.detail) : null,
      });
    },
    async list(query: AuditQuery): Promise<{ count: number; results: AuditEntry[] }> {
      const { count, rows } = await repo.page(db.read, query);
      return {
        count,
        results: rows.map((r) => ({ ...r, id: Number(r.id), detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null })),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
