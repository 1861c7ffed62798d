import { z } from 'zod';
import { urlIdSchema } from './url-ids.ts';

/**
 * Single sign-on (OIDC) IdP configurations: the name rule, the new IdP and
 * its patch, and the server's answers, declared once here. The client
 * secret goes in and never comes out: answers say `has_client_secret`.
 */

export const SSO_TEMPLATES = ['okta', 'auth0', 'keycloak', 'entra', 'adfs', 'custom'] as const;
export const ssoTemplateSchema = z.enum(SSO_TEMPLATES);
export type SsoTemplate = z.infer<typeof ssoTemplateSchema>;

/** The `<idp>` of `/g/sso/oidc/<idp>/login/callback`: it goes into the redirect URI registered at the IdP, so it is URL-safe ASCII and never changes. */
export const ssoProviderNameSchema = urlIdSchema(64);

const ISSUER_RULE = 'must be an https:// address (http:// only on this computer) without a query or fragment, e.g. https://idp.example.com/realms/acme';

/** An issuer: https, or http to a loopback address (a test IdP); kept as typed (Auth0's issuers end with a slash, and `iss` must match exactly). */
export const ssoIssuerSchema = z
  .string()
  .trim()
  .max(2000, { error: ISSUER_RULE })
  .refine((v) => {
    try {
      const u = new URL(v);
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
      return (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, ISSUER_RULE);

const scopesSchema = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be scope names separated by single spaces')
  .refine((v) => v.split(' ').includes('openid'), 'must include openid');

const NO_CONTROL = /^[^\p{Cc}]*$/u;
const clientIdSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(500, 'must be at most 500 characters')
  .regex(NO_CONTROL, 'must not contain control characters');
const clientSecretSchema = z.string().max(2000, 'must be at most 2000 characters').regex(NO_CONTROL, 'must not contain control characters');

export const ssoProviderInputSchema = z.strictObject({
  name: ssoProviderNameSchema,
  template: ssoTemplateSchema.default('custom'),
  issuer: ssoIssuerSchema,
  client_id: clientIdSchema,
  /** Absent or empty: a public client (PKCE only). */
  client_secret: clientSecretSchema.optional(),
  scopes: scopesSchema.default('openid email profile'),
  enabled: z.boolean().default(true),
  link_verified_email: z.boolean().default(false),
});
export type SsoProviderInput = z.output<typeof ssoProviderInputSchema>;

/** Everything but the name (it is in the redirect URI registered at the IdP). `client_secret: null` removes the secret. */
export const ssoProviderPatchSchema = z
  .strictObject({
    template: ssoTemplateSchema,
    issuer: ssoIssuerSchema,
    client_id: clientIdSchema,
    client_secret: clientSecretSchema.nullable(),
    scopes: scopesSchema,
    enabled: z.boolean(),
    link_verified_email: z.boolean(),
  })
  .partial();
export type SsoProviderPatch = z.output<typeof ssoProviderPatchSchema>;

export const ssoProviderSchema = z.object({
  id: z.number().int(),
  /** The organization's slug; null for a site-wide IdP. */
  organization: z.string().nullable(),
  name: z.string(),
  template: ssoTemplateSchema,
  issuer: z.string(),
  client_id: z.string(),
  has_client_secret: z.boolean(),
  scopes: z.string(),
  enabled: z.boolean(),
  link_verified_email: z.boolean(),
  /** The path of the redirect URI to register at the IdP (after this server's address). */
  redirect_path: z.string(),
  created_at: z.string(),
  created_by: z.string().nullable(),
});
export type SsoProvider = z.output<typeof ssoProviderSchema>;

/** "Test connection": discovery read, the JWKS fetched, the authorization URL built. */
export const ssoTestResultSchema = z.object({
  ok: z.literal(true),
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  jwks_keys: z.number().int(),
  signing_algorithms: z.array(z.string()),
  authorization_url: z.string(),
});
export type SsoTestResult = z.output<typeof ssoTestResultSchema>;
