import { z } from 'zod';
import { invitationSchema } from './answer-schemas.ts';
import { URL_ID, urlIdSchema } from './url-ids.ts';
import { joinPolicySchema, orgRoleSchema, ORG_ORDERING_FIELDS, type OrgRole, type JoinPolicy } from './org-roles.ts';

/**
 * Organizations: the slug rule, the new organization and its patch, and the
 * server's answers, declared once here and derived everywhere else (the
 * server's route schemas, the console bridge's parameters, main's backend
 * types). The server adds the checks that need its data on top: a slug
 * taken, or equal to a username (src-server/orgs/orgs-service.ts).
 */

/** Django SlugField's default max_length. */
export const ORG_SLUG_MAX = 50;
export const ORG_NAME_MAX = 100;

/**
 * Slugs that would collide with fixed paths: `sso` is pygraphistry's SSO poll
 * (`/api/v2/o/sso/oidc/jwt/<state>/`); `active` and `join` are static routes
 * beside `/api/v2/organizations/:slug`.
 */
export const RESERVED_ORG_SLUGS: ReadonlySet<string> = new Set(['sso', 'active', 'join']);

/**
 * A new organization's id: URL-safe ASCII, stored lower-case (`Acme` is
 * `acme`), so two ids that differ only by case cannot both exist. Clients
 * compare it exactly (pygraphistry's `org_name`), which is why it is ASCII
 * and why look-alike matching (usernames' TR39 rule) does not apply to it.
 */
export const orgSlugSchema = urlIdSchema(ORG_SLUG_MAX)
  .refine((s) => !RESERVED_ORG_SLUGS.has(s), 'is reserved')
  .meta({ description: 'URL-safe organization id, stored lower-case (Acme is acme)', maxLength: ORG_SLUG_MAX, pattern: URL_ID.source });

/**
 * An organization as a path or `org_name` names one: any case, and a
 * username too (personal organizations); an unknown one is simply not found.
 */
export const orgSlugParam = z
  .string()
  .min(1)
  .max(150)
  .regex(/^[\p{L}\p{N}_.@+-]+$/u, 'is not an organization');

export const orgNameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(ORG_NAME_MAX, `must be at most ${ORG_NAME_MAX} characters`)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export { joinPolicySchema, orgRoleSchema, ORG_ORDERING_FIELDS, type OrgRole, type JoinPolicy };
export const orgOrderingSchema = z.enum(ORG_ORDERING_FIELDS.flatMap((f) => [f, `-${f}`]) as [string, ...string[]]);

/** A new organization; `name` defaults to the slug as stored. */
export const orgInputSchema = z.strictObject({ slug: orgSlugSchema, name: orgNameSchema.optional(), join_policy: joinPolicySchema.optional() });

/** An edit: the slug is immutable (clients and tokens name the organization by it). */
export const orgPatchSchema = z
  .strictObject({ name: orgNameSchema.optional(), join_policy: joinPolicySchema.optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change', when: (payload) => payload.issues.length === 0 });

const time = z.string().min(1).meta({ format: 'date-time' });

/** An organization as the server answers it; `role` is the caller's in it (null: not a member). */
export const organizationSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    join_policy: joinPolicySchema,
    created_at: time,
    created_by: z.string().nullable(),
    member_count: z.number().int(),
    /** Active admins: 0 means only superusers manage it. */
    admin_count: z.number().int(),
    role: orgRoleSchema.nullable(),
  })
  .meta({ id: 'Organization' });

/** One member of an organization. */
export const orgMemberSchema = z
  .object({
    user_id: z.number().int(),
    username: z.string(),
    email: z.string().nullable(),
    is_active: z.boolean(),
    role: orgRoleSchema,
    joined_at: time,
    invited_by: z.number().int().nullable(),
    invited_by_username: z.string().nullable(),
  })
  .meta({ id: 'OrgMember' });

/** One organization a user is in (the user editor's list). */
export const membershipSchema = z
  .object({ organization_id: z.number().int(), slug: z.string(), name: z.string(), role: orgRoleSchema, joined_at: time })
  .meta({ id: 'Membership' });

/** The organization a token's session acts in: a named one, or the personal one (the username). */
export const activeOrganizationSchema = z
  .object({ slug: z.string(), name: z.string(), personal: z.boolean(), role: orgRoleSchema.nullable() })
  .meta({ id: 'ActiveOrganization' });

/** The caller's organizations: the personal one and the named ones they are in. */
export const myOrganizationsSchema = z.object({ personal: z.object({ slug: z.string(), name: z.string() }), results: z.array(organizationSchema) });

/** As site invitations (src-server/invitations): at most 30 days, a note of at most 254 characters. */
export const ORG_INVITATION_MAX_HOURS = 720;
export const orgInvitationInputSchema = z.strictObject({
  role: orgRoleSchema.optional(),
  expires_in_hours: z.number().int().min(1).max(ORG_INVITATION_MAX_HOURS).optional(),
  note: z
    .string()
    .trim()
    .max(254, 'must be at most 254 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .nullable()
    .optional(),
});

/** An organization's invitation link: a site invitation's view (never staff) with the role it gives. */
export const orgInvitationSchema = invitationSchema.omit({ grant_staff: true }).extend({ role: orgRoleSchema }).meta({ id: 'OrgInvitation' });

/** A new organization invitation, once: the view, the link's token and path, and the whole link when the server knows its public address. */
export const createdOrgInvitationAnswerSchema = orgInvitationSchema.extend({ token: z.string().min(1), path: z.string().min(1), url: z.string().nullable() });

/** A signed-in user's acceptance of an organization invitation (POST /api/v2/organizations/join). */
export const joinOrgInputSchema = z.strictObject({ token: z.string().min(1).max(256) });

export type CreatedOrgInvitation = z.output<typeof createdOrgInvitationAnswerSchema>;
export type OrgOrdering = z.output<typeof orgOrderingSchema>;
export type OrgInput = z.output<typeof orgInputSchema>;
export type OrgPatch = z.output<typeof orgPatchSchema>;
export type Organization = z.output<typeof organizationSchema>;
export type OrgMember = z.output<typeof orgMemberSchema>;
export type Membership = z.output<typeof membershipSchema>;
export type ActiveOrganization = z.output<typeof activeOrganizationSchema>;
export type OrgInvitationInput = z.output<typeof orgInvitationInputSchema>;
export type OrgInvitationView = z.output<typeof orgInvitationSchema>;

/** What LAST_ORG_ADMIN says beside each field that would leave an organization with no active admin. */
export const LAST_ORG_ADMIN_FIELD_MESSAGE = 'is the last active admin of an organization';

/**
 * The fields of a change that would demote or deactivate an organization's
 * last active admin, for the refusal to name (a removal or deletion names
 * none): clients show the refusal beside the control that caused it.
 */
export function lastOrgAdminFields(patch: {
  role?: OrgRole | undefined;
  is_active?: boolean | undefined;
}): Array<{ field: 'role' | 'is_active'; message: string }> {
  const fields: Array<{ field: 'role' | 'is_active'; message: string }> = [];
  if (patch.role === 'member') fields.push({ field: 'role', message: LAST_ORG_ADMIN_FIELD_MESSAGE });
  if (patch.is_active === false) fields.push({ field: 'is_active', message: LAST_ORG_ADMIN_FIELD_MESSAGE });
  return fields;
}
