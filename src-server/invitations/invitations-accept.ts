import { z } from 'zod';
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import { assertPassword } from '../lib/password-policy.ts';
import { AppError } from '../errors.ts';
import type { NewPersonalKey, User } from '../../src-shared/domain.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { KeysService } from '../keys/keys-service.ts';
import type { TokensService } from '../tokens/tokens-service.ts';
import { toUser, type UsersRepo } from '../users/users-repo.ts';
import { accountConflict } from '../users/users-service.ts';
import { assertIdentifiersFree } from '../users/account-identifiers.ts';
import { emailSchema, usernameSchema } from '../../src-shared/user-schemas.ts';
import { parseInput } from '../lib/validate.ts';
import { bool, type Database, type InvitationRow, type UserRow } from '../db/schema.ts';
import type { OrgRole } from '../../src-shared/org-schemas.ts';
import type { OrgsRepo } from '../orgs/orgs-repo.ts';
import type { InvitationsRepo } from './invitations-repo.ts';
import { invitationRefusal, statusOf, type InspectStatus, type InvitationView } from './invitations-view.ts';

export interface AcceptInput {
  username: string;
  password: string;
  email?: string | null | undefined;
}

export interface AcceptResult {
  user: User;
  key: NewPersonalKey;
  /** A JWT for the new account, as sign-up returns. */
  token: string;
  /** The organization the invitation joined the account to, and as what (null: a site invitation). */
  organization: { slug: string; name: string; role: OrgRole } | null;
}

/** What a link is worth now; for an organization's link, which one it joins and as what (null for a site invitation). */
export interface InspectResult {
  status: InspectStatus;
  invitation: InvitationView | null;
  organization: { slug: string; name: string } | null;
  role: OrgRole | null;
}

export interface AcceptDeps {
  db: Db;
  repo: InvitationsRepo;
  users: UsersRepo;
  keys: KeysService;
  tokens: TokensService;
  audit: AuditService;
  hasher: PasswordHasher;
  clock: Clock;
  passwordMinLength: number;
  orgs: Pick<OrgsRepo, 'addMember'>;
  inspect(token: string): Promise<InspectResult>;
}

// The invite page calls accept() directly, not through the JSON route's schema, so the service applies the API's rules itself.
const accountFields = z.object({ username: usernameSchema, email: emailSchema.nullable().optional() });

const REFUSALS = new Set(['INVITATION_NOT_FOUND', 'INVITATION_USED', 'INVITATION_EXPIRED', 'INVITATION_REVOKED']);

/**
 * Turn an invitation into an account, whether or not sign-up is open. Mirrors
 * sign-up: cheap refusals and the argon2id hash happen before the accounts
 * lock; claiming the link, creating the user and its first key happen in one
 * transaction, so a username clash rolls the claim back and the link stays
 * usable, and of many people racing on one link exactly one gets an account.
 * An organization's invitation also makes the account a member of it, with
 * the invitation's role, in the same transaction; an organization deleted
 * meanwhile took its invitations with it (the link reads as unknown).
 */
export function createAcceptStep(deps: AcceptDeps) {
  const { db, repo, users, keys, tokens, audit, hasher, clock, passwordMinLength, orgs, inspect } = deps;

  return async function accept(token: string, input: AcceptInput, ip: string | null): Promise<AcceptResult> {
    const before = await inspect(token);
    const id = before.invitation?.id ?? null;
    const email = input.email || null; // a form's empty field means no email
    let result: { row: UserRow; user: User; key: NewPersonalKey; organization: AcceptResult['organization'] };
    let username = input.username;
    try {
      if (before.status !== 'valid') throw invitationRefusal(before.status);
      ({ username } = parseInput(accountFields, { username: input.username, email }, 'body'));
      assertPassword(input.password, username, passwordMinLength);
      const passwordHash = await hasher.hash(input.password);
      result = await db.withAccountsLock(async (trx) => {
        const now = clock.now();
        const claimed = await repo.claim(trx, id!, now.toISOString());
        if (!claimed) {
          // Someone else got here first (or an admin revoked it meanwhile): say which.
          const row = await repo.byId(trx, id!);
          const status = row ? statusOf(row, now) : 'unknown';
          throw invitationRefusal(status === 'pending' ? 'used' : status);
        }
        await assertIdentifiersFree(trx, users, { username, email });
        // An invitation never makes a superuser: that is granted by an existing one, by name.
        const row = await users.create(trx, {
          username,
          email,
          passwordHash,
          staff: bool(claimed.grant_staff),
          superuser: false,
          at: now.toISOString(),
          signedIn: true,
        });
        const user = toUser(row);
        await repo.setUsedBy(trx, id!, user.id);
        const actor = { userId: user.id, username: user.username, ip };
        await audit.record(
          actor,
          {
            action: 'invitation.accept',
            targetType: 'invitation',
            targetId: id!,
            detail: { user_id: user.id, username: user.username, grant_staff: user.is_staff },
          },
          trx,
        );
        await audit.record(
          actor,
          {
            action: 'user.signup',
            targetType: 'user',
            targetId: user.id,
            target: user.username,
            detail: { via: 'invitation', invitation_id: id, is_staff: user.is_staff, is_superuser: false },
          },
          trx,
        );
        const organization = await joinOrganization(trx, claimed, user, actor);
        const key = await keys.create(trx, actor, user);
        return { row, user, key, organization };
      });
    } catch (e) {
      // Refusals of a known link are worth an audit line (who tried a used or revoked link, from where);
      // unknown tokens are not recorded, so anonymous noise cannot flood the log.
      if (e instanceof AppError && REFUSALS.has(e.code) && id) {
        await audit.record(
          { userId: null, username: input.username, ip },
          { action: 'invitation.accept', outcome: 'failure', targetType: 'invitation', targetId: id, detail: { reason: e.code } },
        );
      }
      throw (await accountConflict(e, db.read, users, username)) ?? e;
    }
    const { token: jwt } = await tokens.issue(result.row);
    return { user: result.user, key: result.key, token: jwt, organization: result.organization };
  };

  /** An organization's invitation: the new account joins it with the invitation's role, invited by whoever made the link. */
  async function joinOrganization(trx: Transaction<Database>, claimed: InvitationRow, user: User, actor: Actor): Promise<AcceptResult['organization']> {
    if (claimed.organization_id === null) return null;
    const org = await repo.organizationOf(trx, Number(claimed.organization_id));
    // The row cascades away with its organization, so the claim above would have failed first.
    if (!org) throw invitationRefusal('unknown');
    const role: OrgRole = claimed.org_role ?? 'member';
    await orgs.addMember(trx, { organization_id: org.id, user_id: user.id, role, joined_at: clock.now().toISOString(), invited_by: claimed.created_by_id });
    await audit.record(
      actor,
      {
        action: 'org.member.add',
        targetType: 'organization',
        targetId: org.id,
        target: org.slug,
        detail: { user_id: user.id, username: user.username, role, via: 'invitation', invitation_id: claimed.id },
      },
      trx,
    );
    return { slug: org.slug, name: org.name, role };
  }
}
