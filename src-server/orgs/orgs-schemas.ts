import { z } from 'zod';
import { orgOrderingSchema, orgRoleSchema, orgSlugParam } from '../../src-shared/org-schemas.ts';
import { userInputSchema } from '../../src-shared/user-schemas.ts';
import { idSegment } from '../users/users-schemas.ts';
import { invitationIdParam } from '../invitations/invitations-schemas.ts';

/** The route parts of the organization APIs; the shared rules (src-shared/org-schemas.ts) are the bodies as they are. */

export const slugParams = z.strictObject({ slug: orgSlugParam });
export const memberParams = z.strictObject({ slug: orgSlugParam, userId: idSegment });
export const orgInvitationParams = z.strictObject({ slug: orgSlugParam, id: invitationIdParam.shape.id });

// Slugs, names, usernames and emails never hold control characters, so a search with one is a mistake (and NUL would reach PostgreSQL).
const search = z
  .string()
  .max(150)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .optional();
const page = z.coerce.number().int().min(1).max(1_000_000).optional();
const pageSize = z.coerce.number().int().min(1).max(500).optional();

export const listOrgsQuery = z.strictObject({ search, ordering: orgOrderingSchema.optional(), page, page_size: pageSize });
export const listMembersQuery = z.strictObject({ search, role: orgRoleSchema.optional(), page, page_size: pageSize });

const userRef = z.number().int().min(1).max(2_147_483_647);
export const addMemberBody = z.strictObject({ user_id: userRef, role: orgRoleSchema.default('member') });
export const setRoleBody = z.strictObject({ role: orgRoleSchema });
/** A new user made straight into the organization, as a member unless said otherwise. */
export const createOrgUserBody = userInputSchema.extend({ role: orgRoleSchema.default('member') });
/** Routes that act on the caller alone (leave) take no fields. */
export const emptyBody = z.strictObject({});
