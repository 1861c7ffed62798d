import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { randomSecret, randomToken } from '../lib/crypto.ts';
import type { Actor } from '../audit/audit-service.ts';
import type { ImportRow } from '../../src-shared/user-import.ts';
import type { ImportReportRow } from '../../src-shared/user-import-schemas.ts';
import type { UserPatch } from '../../src-shared/user-schemas.ts';
import { invitationPath } from '../invitations/invitations-view.ts';
import { assertIdentifiersFree } from './account-identifiers.ts';
import { toUser } from './users-repo.ts';
import { conflictError } from './users-service.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import type { KeysService } from '../keys/keys-service.ts';
import type { OrgsRepo } from '../orgs/orgs-repo.ts';
import type { InvitationsRepo } from '../invitations/invitations-repo.ts';
import type { InvitationTokens } from '../invitations/invitation-tokens.ts';
import type { UsersRepo } from './users-repo.ts';
import type { UsersService } from './users-service.ts';
import type { PasswordLinks } from './password-links.ts';
import type { ImportPrefetch } from './user-import-prefetch.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** An account made by import has no password until its person sets one with the link: Django's unusable marker, as SSO accounts have. */
const unusablePassword = () => `!import-${randomSecret(24)}`;
/** Invitations made by import last as long as set-password links. */
const INVITE_HOURS = 7 * 24;

/** What the import works with (user-import-service.ts builds one). */
export interface UserImportDeps {
  db: Pick<Db, 'read'>;
  users: UsersRepo;
  usersService: Pick<UsersService, 'applyUpdate'>;
  orgs: OrgsRepo;
  keys: KeysService;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
  passwordLinks: PasswordLinks;
  invitationsRepo: InvitationsRepo;
  invitationTokens: InvitationTokens;
}

export type RowResult = Omit<ImportReportRow, 'written' | 'line' | 'username'>;

/** A refusal as a report row: the column it names (the first field of the AppError), and its sentence. */
export function refusal(e: AppError, column: string | null = null): RowResult {
  const field = e.fields?.[0]?.field ?? column;
  return { outcome: 'error', code: e.code, column: field, message: e.message };
}

/** The writes of one row of an import, each inside the import's transaction and after its checks, so a refusal writes nothing. */
export function createImportRows(deps: UserImportDeps) {
  const { users, usersService, orgs, keys, audit, clock, passwordLinks, invitationsRepo, invitationTokens } = deps;

  function orgOf(pre: ImportPrefetch, row: ImportRow): { id: number; slug: string } | null {
    if (!row.organization) return null;
    const org = pre.orgBySlug.get(row.organization);
    if (!org)
      throw new AppError('ORG_NOT_FOUND', `No organization “${row.organization}”: make it first, or leave the cell blank.`, {
        fields: [{ field: 'organization', message: 'no such organization' }],
      });
    return org;
  }

  /** Emails are unique by the database's index: checked first, since a failed statement would end PostgreSQL's transaction and every row with it. */
  async function assertEmailFree(q: Q, email: string | null | undefined, exceptId?: number): Promise<void> {
    if (!email) return;
    const other = await users.byEmail(q, email);
    if (other && Number(other.id) !== exceptId) throw conflictError('email');
  }

  return {
    /** A new account; on a dry run, only its checks (nothing it writes can fail once they pass). */
    async create(q: Q, actor: Actor, row: ImportRow, o: { pre: ImportPrefetch; withKeys: boolean; dryRun: boolean }): Promise<RowResult> {
      const org = orgOf(o.pre, row);
      if (o.pre.mayClash(row)) {
        await assertIdentifiersFree(q, users, { username: row.username, email: row.email });
        await assertEmailFree(q, row.email);
      }
      if (o.dryRun) return { outcome: 'create' };
      const at = clock.now().toISOString();
      const created = await users.create(q, {
        username: row.username,
        email: row.email,
        passwordHash: unusablePassword(),
        active: row.is_active,
        staff: row.is_staff ?? false,
        superuser: row.is_superuser ?? false,
        at,
        signedIn: false,
      });
      const user = toUser(created);
      const detail = {
        via: 'import',
        is_active: user.is_active,
        is_staff: user.is_staff,
        is_superuser: user.is_superuser,
        ...(org ? { organization: org.slug, role: row.role ?? 'member' } : {}),
      };
      await audit.record(actor, { action: 'user.create', targetType: 'user', targetId: user.id, target: user.username, detail }, q);
      if (org) await orgs.addMember(q, { organization_id: org.id, user_id: user.id, role: row.role ?? 'member', joined_at: at, invited_by: actor.userId });
      const link = await passwordLinks.mint(q, user.id);
      const result: RowResult = { outcome: 'create', link: { path: link.path, url: null, expires_at: link.expires_at } };
      if (o.withKeys) {
        const key = await keys.create(q, actor, user, { name: 'import' });
        result.key = { id: key.id, secret: key.secret, authorization: key.authorization };
      }
      return result;
    },

    /** A site invitation (or the organization's, with the row's role) noted with the row's name, for its person to make the account. */
    async invite(q: Q, actor: Actor, row: ImportRow, o: { pre: ImportPrefetch; dryRun: boolean }): Promise<RowResult> {
      if (row.is_superuser)
        throw new AppError('VALIDATION', 'An invitation cannot make a superuser: import this row with mode create.', {
          fields: [{ field: 'is_superuser', message: 'not with an invitation' }],
        });
      const org = orgOf(o.pre, row);
      if (org && row.is_staff)
        throw new AppError('VALIDATION', "An organization's invitation cannot give staff: leave is_staff blank, or the organization out.", {
          fields: [{ field: 'is_staff', message: "not with an organization's invitation" }],
        });
      if (o.dryRun) return { outcome: 'invite' };
      const now = clock.now();
      const { token, tokenHash } = invitationTokens.mint();
      const note = `import: ${row.username}${row.email ? ` <${row.email}>` : ''}`.slice(0, 254);
      const inserted = await invitationsRepo.insert(q, {
        id: randomToken(16),
        token_hash: tokenHash,
        note,
        grant_staff: invitationsRepo.flag(row.is_staff ?? false),
        created_by: actor.username,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + INVITE_HOURS * 3_600_000).toISOString(),
        used_at: null,
        used_by: null,
        revoked_at: null,
        organization_id: org?.id ?? null,
        org_role: org ? (row.role ?? 'member') : null,
        created_by_id: actor.userId,
      });
      const detail = {
        via: 'import',
        note,
        expires_at: inserted.expires_at,
        ...(org ? { organization: org.slug, role: row.role ?? 'member' } : { grant_staff: row.is_staff ?? false }),
      };
      await audit.record(actor, { action: org ? 'org.invitation.create' : 'invitation.create', targetType: 'invitation', targetId: inserted.id, detail }, q);
      return { outcome: 'invite', link: { path: invitationPath(token), url: null, expires_at: inserted.expires_at } };
    },

    /** The row's fields on an existing account, by the edit's own rules (users-service applyUpdate), and its membership when it names an organization. */
    async update(q: Q, actor: Actor, before: UserRow, row: ImportRow, pre: ImportPrefetch): Promise<RowResult> {
      const org = orgOf(pre, row);
      const patch: UserPatch = {};
      if (row.email && row.email.toLowerCase() !== before.email_lower) patch.email = row.email;
      for (const f of ['is_active', 'is_staff', 'is_superuser'] as const) if (row[f] !== undefined && row[f] !== bool(before[f])) patch[f] = row[f];
      const userId = Number(before.id);
      const member = org ? await orgs.member(q, org.id, userId) : undefined;
      const role = row.role ?? (member ? member.role : 'member');
      const joins = org && !member;
      const roleChange = org && member && member.role !== role;
      if (Object.keys(patch).length === 0 && !joins && !roleChange) return { outcome: 'skip', message: 'already as the file says: nothing to change' };
      if (roleChange && member.role === 'admin' && (await orgs.countActiveAdmins(q, org.id, userId)) === 0) {
        throw new AppError('LAST_ORG_ADMIN', `“${before.username}” is the last active admin of “${org.slug}”: make another admin first.`, {
          fields: [{ field: 'role', message: 'the last active admin' }],
        });
      }
      await assertEmailFree(q, patch.email, userId);
      if (Object.keys(patch).length > 0) await usersService.applyUpdate(q, actor, before, patch);
      if (org && (joins || roleChange)) {
        if (joins) await orgs.addMember(q, { organization_id: org.id, user_id: userId, role, joined_at: clock.now().toISOString(), invited_by: actor.userId });
        else await orgs.setRole(q, org.id, userId, role);
        await audit.record(
          actor,
          {
            action: joins ? 'org.member.add' : 'org.member.role',
            targetType: 'organization',
            targetId: org.id,
            target: org.slug,
            detail: { user_id: userId, username: before.username, role, via: 'import' },
          },
          q,
        );
      }
      return { outcome: 'update' };
    },
  };
}
