import { z } from 'zod';

/**
 * An organization's member roles, its single sign-on join policy and the
 * list's orderings: the few names the domain types (domain.ts) and the
 * organization schemas (org-schemas.ts) both use, kept apart so neither
 * imports the other.
 */

/** Who may join by single sign-on: stored and shown (this server has no single sign-on yet). */
export const joinPolicySchema = z.enum(['invite_only', 'self_join']);
export const orgRoleSchema = z.enum(['admin', 'member']);

/** What the organizations list orders by; '-' in front for descending. */
export const ORG_ORDERING_FIELDS = ['slug', 'name', 'created_at', 'member_count'] as const;

export type OrgRole = z.output<typeof orgRoleSchema>;
export type JoinPolicy = z.output<typeof joinPolicySchema>;
