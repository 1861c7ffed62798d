import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { UserRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { AccessClaims } from './jwt.ts';
import type { OrgForUser, OrgSessionsRepo } from './org-sessions-repo.ts';

/** What a sign-in answers about the organization it named; pygraphistry checks all three (graphistry/arrow_uploader.py `_finalize_login`). */
export interface ActiveOrganizationAnswer {
  slug: string;
  is_found: boolean;
  is_member: boolean;
}

/** A sign-in's organization: the answer, and the slug the token's `org` claim carries (absent: the personal organization). */
export interface SignInOrg {
  answer: ActiveOrganizationAnswer;
  org?: string;
}

/** The active organization of a token's session, as `GET /api/v2/organizations/active` shows it. */
export interface ActiveOrganization {
  slug: string;
  name: string;
  personal: boolean;
  /** The caller's role there; null in the personal organization, which has no members. */
  role: 'admin' | 'member' | null;
}

// Only text shaped like a stored slug (lower-case ASCII, 50 at most: src-shared/org-schemas.ts) is looked up:
// anything else cannot name an organization, so it costs no query.
const SLUG_SHAPE = /^[a-z0-9](?:[a-z0-9_-]{0,48}[a-z0-9])?$/;

/** 96 random bits, 16 characters: a token's session (`sid`). */
export function newSessionId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The session a token belongs to: its `sid`, or for tokens minted before
 * `sid` existed (they live 24 hours at most) what their refreshes keep.
 */
export function sessionKey(claims: AccessClaims): string {
  return claims.sid ?? `legacy:${claims.user_id}:${claims.orig_iat}:${claims.pk ?? '-'}`;
}

type Target = { kind: 'personal' } | { kind: 'org'; org: OrgForUser } | { kind: 'unknown' };

export interface ActiveOrgsDeps {
  db: Pick<Db, 'read' | 'write'>;
  repo: OrgSessionsRepo;
  audit: AuditService;
  clock: Clock;
  refreshSeconds: number;
}

/**
 * The organization a client signs in to and switches to. Graphistry keeps an
 * "active organization" per session: pygraphistry signs in with `org_name`,
 * then posts `/api/v2/o/<slug>/switch/` (which returns no token) and later
 * refreshes with nothing but `{token}`, so a switch is remembered server-side
 * under the token's session and every refreshed token carries it. The
 * membership is re-checked wherever the active organization is read: a
 * member removed since falls back to the personal organization.
 */
export function createActiveOrgs(deps: ActiveOrgsDeps) {
  const { db, repo, audit, clock, refreshSeconds } = deps;

  /**
   * What `name` names for `user`: their personal organization (their
   * username, any case), a named organization, or nothing. Another user's
   * username reads as nothing, so usernames are not enumerable this way.
   */
  async function target(user: UserRow, name: string): Promise<Target> {
    if (name.toLowerCase() === user.username.toLowerCase()) return { kind: 'personal' };
    const slug = name.toLowerCase();
    const org = SLUG_SHAPE.test(slug) ? await repo.orgForUser(db.read, Number(user.id), slug) : undefined;
    return org ? { kind: 'org', org } : { kind: 'unknown' };
  }

  /**
   * A sign-in's `org_name` to its answer. The slug echoes the spelling sent:
   * pygraphistry refuses an answer whose slug differs from its `org_name`
   * (`ACME` for `acme`), and shows its own errors for `is_found` and
   * `is_member`, which needs a 2xx: a non-member still signs in (to the
   * personal organization).
   */
  async function resolveSignInOrg(user: UserRow, orgName: string | null | undefined): Promise<SignInOrg> {
    if (!orgName) return { answer: { slug: user.username, is_found: true, is_member: true } };
    const t = await target(user, orgName);
    if (t.kind === 'personal') return { answer: { slug: orgName, is_found: true, is_member: true } };
    if (t.kind === 'unknown') return { answer: { slug: orgName, is_found: false, is_member: false } };
    if (!t.org.role) return { answer: { slug: orgName, is_found: true, is_member: false } };
    return { answer: { slug: orgName, is_found: true, is_member: true }, org: t.org.slug };
  }

  /** The named organization a token's session is in (null: the personal one): its switch if it made one, else its claim; members only. */
  async function current(user: UserRow, claims: AccessClaims | null): Promise<OrgForUser | null> {
    if (!claims) return null;
    const switched = await repo.sessionSwitch(db.read, sessionKey(claims), Number(user.id), clock.now().toISOString());
    const org = switched ? switched.org : claims.org ? ((await repo.orgForUser(db.read, Number(user.id), claims.org)) ?? null) : null;
    return org?.role ? org : null;
  }

  /**
   * Remember that the session of `claims` is now in `to` (null: personal).
   * Written only when that changes something: signing in with `org_name=acme`
   * and then switching to acme, as pygraphistry does, writes nothing.
   */
  async function remember(user: UserRow, claims: AccessClaims, to: OrgForUser | null, ip: string | null, slugSent: string): Promise<void> {
    const key = sessionKey(claims);
    const now = clock.now();
    const switched = await repo.sessionSwitch(db.read, key, Number(user.id), now.toISOString());
    const unchanged = switched ? (switched.org?.id ?? null) === (to?.id ?? null) : (claims.org ?? null) === (to?.slug ?? null);
    if (unchanged) return;
    // The row lives as long as the session can be refreshed (or its last token lasts, if longer).
    const expiresAt = new Date(Math.max(claims.orig_iat + refreshSeconds, claims.exp) * 1000).toISOString();
    const stored = await repo.store(db.write, { sid: key, userId: Number(user.id), organizationId: to?.id ?? null, at: now.toISOString(), expiresAt });
    if (!stored) throw notFound(slugSent);
    await Promise.all([
      repo.sweep(db.write, now.toISOString()),
      audit.record(
        { userId: Number(user.id), username: user.username, ip },
        { action: 'org.switch', targetType: 'organization', target: to?.slug ?? user.username, detail: { org: to?.slug ?? null, personal: to === null } },
      ),
    ]);
  }

  const notFound = (slug: string) => new AppError('ORG_NOT_FOUND', `No organization “${slug}”.`);

  return {
    resolveSignInOrg,
    current,

    /** `GET /api/v2/organizations/active`: this token's active organization. */
    async describe(user: UserRow, claims: AccessClaims | null): Promise<ActiveOrganization> {
      const org = await current(user, claims);
      if (!org) return { slug: user.username, name: user.username, personal: true, role: null };
      return { slug: org.slug, name: org.name, personal: false, role: org.role ?? 'member' };
    },

    /**
     * `POST /api/v2/o/<slug>/switch/`. Members (and anyone, for their own
     * personal organization) switch; an existing organization the caller is
     * not in is a 403 with a sentence pygraphistry shows; anything else,
     * another user's username included, is not found. Superusers manage
     * organizations without being in them, so they get the same 403. With a
     * personal key (no session: it picks its organization with `org_name`
     * at the exchange) membership is checked and nothing is stored.
     */
    async switchTo(user: UserRow, claims: AccessClaims | null, slug: string, ip: string | null): Promise<void> {
      const t = await target(user, slug);
      if (t.kind === 'unknown') throw notFound(slug);
      if (t.kind === 'org' && !t.org.role) {
        throw new AppError('ORG_NOT_MEMBER', `You are not a member of “${slug}”: ask one of its admins for an invitation.`);
      }
      if (claims) await remember(user, claims, t.kind === 'org' ? t.org : null, ip, slug);
    },

    /**
     * A refresh's organization: the session's current one, re-checked; with
     * `org_name`, a member switches to it (remembered, as a switch), anyone
     * else keeps the current one and reads `is_member: false`.
     */
    async forRefresh(user: UserRow, claims: AccessClaims, orgName: string | null | undefined, ip: string | null): Promise<SignInOrg> {
      if (orgName) {
        const t = await target(user, orgName);
        if (t.kind === 'personal' || (t.kind === 'org' && t.org.role)) {
          const to = t.kind === 'org' ? t.org : null;
          await remember(user, claims, to, ip, orgName);
          return to
            ? { answer: { slug: orgName, is_found: true, is_member: true }, org: to.slug }
            : { answer: { slug: orgName, is_found: true, is_member: true } };
        }
        const org = await current(user, claims);
        return { answer: { slug: orgName, is_found: t.kind === 'org', is_member: false }, ...(org ? { org: org.slug } : {}) };
      }
      const org = await current(user, claims);
      return org
        ? { answer: { slug: org.slug, is_found: true, is_member: true }, org: org.slug }
        : { answer: { slug: user.username, is_found: true, is_member: true } };
    },
  };
}
export type ActiveOrgs = ReturnType<typeof createActiveOrgs>;
