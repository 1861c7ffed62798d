import { z } from 'zod';
import { optionalEmailSchema, passwordSchema, usernameSchema } from '../../src-shared/user-schemas.ts';
import { signupAnswerSchema } from '../../src-shared/answer-schemas.ts';
import { orgRoleSchema } from '../../src-shared/org-roles.ts';
import { MAX_EXPIRES_IN_HOURS, NOTE_MAX_LENGTH } from './invitations-service.ts';

export const createInvitationBody = z.strictObject({
  expires_in_hours: z.number().int().min(1).max(MAX_EXPIRES_IN_HOURS).optional(),
  grant_staff: z.boolean().optional(),
  note: z
    .string()
    .trim()
    .max(NOTE_MAX_LENGTH, `must be at most ${NOTE_MAX_LENGTH} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .nullable()
    .optional(),
});

export const listInvitationsQuery = z.strictObject({
  status: z.enum(['pending', 'all']).optional(),
});

/** Invitation ids are randomToken(16): letters and digits only. */
export const invitationIdParam = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9]+$/, 'is not an invitation id'),
});

/**
 * The link's secret (randomSecret(32): 43 base64url characters). The bound is
 * loose on purpose: anything else simply reads as an unknown invitation.
 */
export const invitationToken = z
  .string()
  .min(1, 'is required')
  .max(256, 'is too long')
  .regex(/^[A-Za-z0-9_-]+$/, 'is not an invitation token');

export const invitationTokenParam = z.strictObject({ token: invitationToken });

export const acceptInvitationBody = z.strictObject({
  token: invitationToken,
  username: usernameSchema,
  password: passwordSchema,
  email: optionalEmailSchema,
});

const linkOrganization = z.object({ slug: z.string(), name: z.string() });

/**
 * What an anonymous holder of a link learns: whether it can be used, and what it offers (never who made or used it):
 * for an organization's link, which organization it joins and as what (both null for a site invitation).
 */
export const invitationLinkAnswerSchema = z.object({
  status: z.enum(['valid', 'used', 'expired', 'revoked', 'unknown']),
  invitation: z.object({ expires_at: z.string(), grant_staff: z.boolean(), note: z.string().nullable() }).nullable(),
  organization: linkOrganization.nullable(),
  role: orgRoleSchema.nullable(),
});

/**
 * The new account: as a sign-up's answer, less `first_administrator` (an invitation never makes one),
 * with the organization an organization's invitation made it a member of (null for a site invitation).
 */
export const acceptedInvitationAnswerSchema = signupAnswerSchema
  .omit({ first_administrator: true })
  .extend({ organization: linkOrganization.extend({ role: orgRoleSchema }).nullable() });
