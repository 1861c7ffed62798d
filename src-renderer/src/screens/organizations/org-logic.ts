import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { JoinPolicy, OrgMember, OrgRole, Organization, UnlistedOrgField } from '../../../../src-shared/domain.ts';
import { orgSlugSchema } from '../../../../src-shared/org-schemas.ts';

/** Pure helpers of the Organizations screens: what a row may do, its words, the slug a typed id becomes. */

export const ROLE_LABEL: Record<OrgRole, string> = { admin: 'Admin', member: 'Member' };

export const POLICY_LABEL: Record<JoinPolicy, string> = { invite_only: 'Invitation only', self_join: 'Anyone signing in by SSO' };
export const POLICY_HINT =
  'Who may join through the organization’s single sign-on: by invitation only, or anyone its identity provider lets in. Stored for Graphistry’s clients; members are added here or by invitation.';

export const UNLISTED_LABEL: Record<UnlistedOrgField, string> = {
  slug: 'id',
  join_policy: 'SSO users',
  created_at: 'created',
  member_count: 'members',
  admin_count: 'admins',
};

/** Active admins other than this member: demoting or removing the last one is refused by the server, so the console says so first. */
export function otherActiveAdmins(members: readonly OrgMember[], userId: number): number {
  return members.filter((m) => m.user_id !== userId && m.role === 'admin' && m.is_active !== false).length;
}

/**
 * Why this member cannot be demoted or removed, or null. Only an active admin
 * counts (an inactive one manages nothing); an organization that had no
 * active admin to begin with is the superusers' to manage and may stay so.
 */
export function lastAdminReason(members: readonly OrgMember[], m: OrgMember): string | null {
  if (m.role !== 'admin' || m.is_active === false) return null;
  return otherActiveAdmins(members, m.user_id) === 0 ? 'This is the last active admin: make another member its admin first.' : null;
}

/** What a typed id is stored as (`Acme` is `acme`), or the rule it breaks. */
export function slugPreview(typed: string): { slug: string | null; error: string | null } {
  if (!typed.trim()) return { slug: null, error: null };
  const r = orgSlugSchema.safeParse(typed);
  if (r.success) return { slug: r.data, error: null };
  return { slug: null, error: r.error.issues[0]?.message ?? 'is not a valid id' };
}

/** Members in a stable order: admins first, then by username. */
export function sortMembers(members: readonly OrgMember[]): OrgMember[] {
  return [...members].sort((a, b) => Number(b.role === 'admin') - Number(a.role === 'admin') || a.username.localeCompare(b.username));
}

/** How an organization is named in sentences: its name, with its id when they differ. */
export function orgLabel(o: Pick<Organization, 'name' | 'slug'>): string {
  return o.slug && o.slug !== o.name ? `${o.name} (${o.slug})` : o.name;
}

/** A refusal that names a member's role (LAST_ORG_ADMIN): the sentence to show beside that member's role control. */
export function roleRefusal(error: ConsoleError | null): string | null {
  if (!error || error.serverCode !== 'LAST_ORG_ADMIN') return null;
  return error.message;
}

/** `a, b and c`. */
export const wordList = (words: readonly string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? ''));

export const memberCount = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'member' : 'members'}`;
export const orgCount = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'organization' : 'organizations'}`;
