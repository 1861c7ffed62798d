import { z } from 'zod';
import type { Membership, NewPersonalKey, OrgInvitation, OrgMember, Organization, Page } from '../../src-shared/domain.ts';
import * as orgs from '../../src-shared/org-schemas.ts';
import * as answer from '../../src-shared/answer-schemas.ts';
import { listedUserSchema as listedUser, userSchema } from '../../src-shared/user-schemas.ts';

/**
 * The embedded server's answers as the console reads them: the server's own
 * response schemas (src-shared/answer-schemas.ts), checked on arrival and
 * reshaped where the console wants another shape. `z.object` drops keys it
 * does not name, so whatever else a server adds (GET /me's `auth`, sign-up's
 * `first_administrator`) never travels on to the renderer, and a server of
 * another version fails here with a clear sentence instead of deep inside a
 * screen.
 */
export { userSchema };
/** A row of the admin list; servers from before single sign-on send no `sign_in` (the Users list then shows none). */
export const listedUserSchema = listedUser.partial({ sign_in: true });
export {
  auditEntrySchema,
  bulkActiveSchema,
  matchingIdsSchema,
  personalKeySchema,
  registrationSchema,
  settingSchema,
} from '../../src-shared/answer-schemas.ts';
export const tokenSchema = answer.tokenAnswerSchema;
export const mintedSchema = answer.mintedAnswerSchema;

/** The server sends a new key flat (the key's fields plus `secret` and `authorization`); the console nests it. */
export const newKeySchema = answer.newKeyAnswerSchema.transform(({ secret, authorization, ...key }): NewPersonalKey => ({
  key,
  id: key.id,
  secret,
  authorization,
}));

export const pageOf = <T extends z.ZodType>(item: T) =>
  answer
    .pageAnswerSchema(item)
    // Absent rather than undefined when the count is exact, as the server sends it.
    .transform(({ count_is_estimate, ...rest }) => (count_is_estimate ? { ...rest, count_is_estimate } : rest)) satisfies z.ZodType<Page<z.output<T>>>;

export const resultsOf = <T extends z.ZodType>(item: T) => answer.resultsAnswerSchema(item).transform((b) => b.results);

export const signUpSchema = answer.signupAnswerSchema.omit({ first_administrator: true }).extend({ key: newKeySchema });
export const createdUserSchema = answer.createdUserAnswerSchema.extend({ key: newKeySchema });

// Older servers do not send `used_by_username`.
const invitationOfAnyVersion = answer.invitationSchema.extend({
  used_by_username: z
    .string()
    .nullable()
    .optional()
    .transform((v) => v ?? null),
});
export const invitationSchema = invitationOfAnyVersion;

/** 201 answer to creating an invitation: the view flat, plus the link's token and path (shown once); older servers send no `url`. */
export const createdInvitationSchema = invitationOfAnyVersion
  .extend({ token: z.string().min(1), path: z.string().min(1), url: z.string().nullable().optional() })
  .transform(({ token, path, url, ...invitation }) => ({ invitation, token, path, url: url ?? null }));

/**
 * Organizations as the server answers them (org-schemas.ts), in the console's
 * shape: `ref` (what calls name an organization by) is the slug here; a
 * member's inviter by name.
 */
export const organizationSchema = orgs.organizationSchema.transform((o): Organization => ({
  ref: o.slug,
  slug: o.slug,
  name: o.name,
  join_policy: o.join_policy,
  created_at: o.created_at,
  member_count: o.member_count,
  admin_count: o.admin_count,
  role: o.role,
}));
export const orgMemberSchema = orgs.orgMemberSchema.transform(({ invited_by: _id, invited_by_username, ...m }): OrgMember => ({
  ...m,
  invited_by: invited_by_username,
}));
export const membershipSchema = orgs.membershipSchema.transform((m): Membership => ({
  organization: { ref: m.slug, slug: m.slug, name: m.name },
  role: m.role,
  joined_at: m.joined_at,
}));
export const createdOrgUserSchema = z.object({ user: userSchema, key: newKeySchema, member: orgMemberSchema });

/** An organization's invitation link as the server lists it (never its token). */
export const orgInvitationSchema = orgs.orgInvitationSchema satisfies z.ZodType<OrgInvitation>;

/** 201 answer to creating an organization invitation: the view flat, plus the link's token, path and (when the server knows its address) whole URL, shown once. */
export const createdOrgInvitationSchema = orgs.createdOrgInvitationAnswerSchema.transform(({ token, path, url, ...invitation }) => ({
  invitation: invitation satisfies OrgInvitation,
  token,
  path,
  url,
}));

/** The import's report as the server sends it (rows' links and keys included, shown once). */
export { importReportSchema } from '../../src-shared/user-import-schemas.ts';
