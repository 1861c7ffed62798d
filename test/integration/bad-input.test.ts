import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { ERROR_CODES, type ErrorCode } from '../../src-server/errors.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';

/**
 * Bad input on every endpoint of the embedded server, authenticated as a
 * superuser (so validation is reached) and anonymously. Every answer must be
 * a 4xx (never a 5xx) with a JSON `{error: UPPER_SNAKE, message}` body that
 * leaks no stack, SQL or password hash. The endpoint table must cover every
 * route the server registers, so a new route fails this suite until it is
 * added here.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
type FieldKind = 'string' | 'boolean' | 'int' | 'datetime' | 'ids';
/** What a string field holds, which decides what bad values it must refuse. */
type StringRole = 'username' | 'identifier' | 'password' | 'keyname' | 'email' | 'token' | 'slug' | 'base64' | 'free';

interface Field {
  kind: FieldKind;
  required?: boolean;
  nullable?: boolean;
  role?: StringRole;
}

interface BodySpec {
  fields: Record<string, Field>;
  /** A well-formed body; on its own it still fails (or harmlessly succeeds) as `baseCodes` say. */
  base: Record<string, unknown>;
  /** Unknown fields are refused (zod strictObject). */
  strict: boolean;
  /** No body at all is fine (the route defaults to `{}`). */
  optional?: boolean;
  /** `{}` is refused even though no single field is required. */
  nonEmpty?: boolean;
  /** Code for an unknown field when not strict (settings: UNKNOWN_SETTING). */
  unknownCodes?: ErrorCode[];
}

interface Endpoint {
  method: Method;
  /** Route template as the server registers it. */
  path: string;
  /**
   * `hook`: the prefix guard refuses anonymous callers in onRequest, before the body is read.
   * `handler`: the handler checks credentials after Fastify has parsed the body.
   * `none`: public.
   */
  guard: 'hook' | 'handler' | 'none';
  /** What "authenticated" means for this route. */
  credential: 'bearer' | 'personalKey';
  body?: BodySpec;
  /** Query parameters are validated (strict) rather than ignored. */
  query?: 'users' | 'user-ids' | 'audit' | 'invitations' | 'keys' | 'orgs' | 'org-members';
  /** Codes a well-formed request may still get, or 'ok' when it may succeed. */
  baseCodes: Array<ErrorCode | 'ok'>;
  /** Aim at a user id that does not exist (so nothing is ever deleted by mistake). */
  missingId?: boolean;
  /** A body limit of its own, past the app's 64 KiB (the user import takes a file). */
  bodyLimit?: number;
  /** Default values for this route's path parameters (over the common ones). */
  params?: Record<string, string>;
  /** How a path parameter is read: a numeric id, a letters-and-digits token, or a free slug. */
  paramKinds?: Record<string, 'int' | 'token' | 'slug'>;
  /** Bodies are drained unread (the forward-auth check answers a proxy's copy of any request). */
  drainsBody?: boolean;
}

/**
 * The server's own HTML pages (forms, cookie session, CSRF token). They answer
 * bad input with an HTML page, a redirect or a JSON error; never a 5xx, never
 * a redirect off the site, never internals.
 */
interface PageEndpoint {
  method: 'GET' | 'POST';
  path: string;
  /** Needs a signed-in session (otherwise the page sends you to sign in). */
  session: boolean;
  params?: Record<string, string>;
}

interface Case {
  label: string;
  method: Method;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** Allowed error codes; 'ok' also allows a 2xx (input the route rightly ignores or accepts). */
  codes: Array<ErrorCode | 'ok'>;
  /** Decided by Fastify's router before any hook (bad URL, no such route): the same with or without credentials. */
  preRoute?: boolean;
}

const JSON_CT = { 'content-type': 'application/json' };
const PARSE_LEVEL: ReadonlySet<string> = new Set(['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']);
const LEAKS = ['stack', 'sqlite', 'syntax error', 'select ', '$argon2', 'test$', 'at async', 'node_modules', 'src-server'];

const SQL_META = [`' OR 1=1 --`, `"; drop table users; --`, '%', '_', '\\', `admin'--`, `1; delete from users --`];
/** Django's username rule (letters, digits, @.+-_), which the server follows. */
const djangoUsername = (s: string) => /^[\p{L}\p{N}_.@+-]{1,150}$/u.test(s);
const CONTROL = ['ad\u0000min', 'ad\u001bmin', '\u001b[31mred', 'bell\u0007', 'tab\tname', 'new\nline', 'del\u007f', 'c1\u0085'];
const NOT_FOUND_KEY = 'nosuchkey0000000';

// ---- the endpoint table ---------------------------------------------------------------

const str = (role: StringRole, extra: Partial<Field> = {}): Field => ({ kind: 'string', role, ...extra });
const bool: Field = { kind: 'boolean' };

const loginBody: BodySpec = {
  fields: { username: str('identifier', { required: true }), password: str('password', { required: true }), org_name: str('free', { nullable: true }) },
  base: { username: 'admin', password: 'definitely the wrong password' },
  strict: false,
};
const tokenBody: BodySpec = { fields: { token: str('token', { required: true }) }, base: { token: 'not-a-jwt' }, strict: false };
/** A refresh may name the organization to switch to. */
const refreshBody: BodySpec = { ...tokenBody, fields: { ...tokenBody.fields, org_name: str('free', { nullable: true }) } };
const pkeyBody: BodySpec = { fields: { org_name: str('free', { nullable: true }) }, base: {}, strict: false, optional: true };
const keyBody: BodySpec = {
  fields: { name: str('keyname'), expires_at: { kind: 'datetime', nullable: true }, expires_in_days: { kind: 'int' } },
  base: { name: 'ci' },
  strict: true,
  optional: true,
};
const inviteBody: BodySpec = {
  fields: { expires_in_hours: { kind: 'int' }, grant_staff: bool, note: str('free', { nullable: true }) },
  base: { note: 'ci' },
  strict: true,
  optional: true,
};
const orgBody: BodySpec = {
  fields: { slug: str('slug', { required: true }), name: str('free'), join_policy: str('free') },
  // 'victim' is a username, so even the base body is refused (SLUG_TAKEN): nothing is made.
  base: { slug: 'victim' },
  strict: true,
};
const orgPatchBody: BodySpec = { fields: { name: str('free'), join_policy: str('free') }, base: { name: 'Renamed' }, strict: true, nonEmpty: true };
const roleBody: BodySpec = { fields: { role: str('free', { required: true }) }, base: { role: 'member' }, strict: true };
const orgInviteBody: BodySpec = {
  fields: { role: str('free'), expires_in_hours: { kind: 'int' }, note: str('free', { nullable: true }) },
  base: { note: 'ci' },
  strict: true,
  optional: true,
};
/** An organization's invitation routes, the same under /api/v2/organizations and /api/v2/admin/organizations. */
const orgInvitationEndpoints = (base: string): Endpoint[] => [
  { method: 'POST', path: `${base}/:slug/invitations`, guard: 'hook', credential: 'bearer', body: orgInviteBody, baseCodes: ['ORG_NOT_FOUND'] },
  { method: 'GET', path: `${base}/:slug/invitations`, guard: 'hook', credential: 'bearer', query: 'invitations', baseCodes: ['ok'], params: EXISTING_ORG },
  {
    method: 'DELETE',
    path: `${base}/:slug/invitations/:id`,
    guard: 'hook',
    credential: 'bearer',
    baseCodes: ['INVITATION_NOT_FOUND'],
    params: { ...EXISTING_ORG, id: 'nosuchinvitation' },
    paramKinds: { id: 'token' },
  },
];
const ssoProviderBody: BodySpec = {
  fields: {
    name: str('free', { required: true }),
    template: str('free'),
    issuer: str('free', { required: true }),
    client_id: str('free', { required: true }),
    client_secret: str('free'),
    scopes: str('free'),
    enabled: bool,
    link_verified_email: bool,
  },
  // Port 9 on loopback answers nobody: even the base body is refused (SSO_DISCOVERY_FAILED), nothing is stored.
  base: { name: 'corp', issuer: 'http://127.0.0.1:9/realms/x', client_id: 'graphistry' },
  strict: true,
};
const ssoPatchBody: BodySpec = {
  fields: {
    template: str('free'),
    issuer: str('free'),
    client_id: str('free'),
    client_secret: str('free', { nullable: true }),
    scopes: str('free'),
    enabled: bool,
    link_verified_email: bool,
  },
  base: { enabled: false },
  strict: true,
};
/** An IdP's routes, site-wide under /api/v2/admin and an organization's under /api/v2/organizations/:slug. */
const ssoEndpoints = (base: string, orgCodes: ErrorCode[]): Endpoint[] => {
  const one = { guard: 'hook', credential: 'bearer', params: { ...EXISTING_ORG, name: 'nosuchidp' }, paramKinds: { name: 'token' } } as const;
  return [
    { method: 'GET', path: base, guard: 'hook', credential: 'bearer', baseCodes: ['ok', ...orgCodes], params: EXISTING_ORG },
    {
      method: 'POST',
      path: base,
      guard: 'hook',
      credential: 'bearer',
      body: ssoProviderBody,
      baseCodes: ['SSO_DISCOVERY_FAILED', ...orgCodes],
      params: EXISTING_ORG,
    },
    { method: 'GET', path: `${base}/:name`, ...one, baseCodes: ['SSO_PROVIDER_NOT_FOUND', ...orgCodes] },
    { method: 'PATCH', path: `${base}/:name`, ...one, body: ssoPatchBody, baseCodes: ['SSO_PROVIDER_NOT_FOUND', ...orgCodes] },
    { method: 'DELETE', path: `${base}/:name`, ...one, baseCodes: ['SSO_PROVIDER_NOT_FOUND', ...orgCodes] },
    {
      method: 'POST',
      path: `${base}/:name/test`,
      ...one,
      body: { fields: {}, base: {}, strict: true, optional: true },
      baseCodes: ['SSO_PROVIDER_NOT_FOUND', ...orgCodes],
    },
  ];
};
const loginCodes: ErrorCode[] = ['INVALID_CREDENTIALS', 'THROTTLED'];
const tokenCodes: ErrorCode[] = ['TOKEN_INVALID', 'TOKEN_EXPIRED'];

const A = '/api/v2/admin';
const O = '/api/v2/organizations';
/** An organization that exists (made in beforeAll), for the routes whose well-formed request must succeed; the others aim at one that does not. */
const EXISTING_ORG = { slug: 'acme' };
const MISSING_MEMBER = { userId: '2147483647' };
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/api/v2/openapi.json', guard: 'none', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'GET', path: '/ht/', guard: 'none', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'GET', path: '/.well-known/jwks.json', guard: 'none', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'POST', path: '/api-token-auth/', guard: 'none', credential: 'bearer', body: loginBody, baseCodes: loginCodes },
  { method: 'POST', path: '/api/v2/auth/token/generate', guard: 'none', credential: 'bearer', body: loginBody, baseCodes: loginCodes },
  { method: 'POST', path: '/api-token-refresh/', guard: 'none', credential: 'bearer', body: refreshBody, baseCodes: tokenCodes },
  { method: 'POST', path: '/api/v2/auth/token/refresh', guard: 'none', credential: 'bearer', body: refreshBody, baseCodes: tokenCodes },
  { method: 'POST', path: '/api-token-verify/', guard: 'none', credential: 'bearer', body: tokenBody, baseCodes: tokenCodes },
  { method: 'POST', path: '/api/v2/auth/token/verify', guard: 'none', credential: 'bearer', body: tokenBody, baseCodes: tokenCodes },
  { method: 'POST', path: '/api/v2/auth/token/verify/', guard: 'none', credential: 'bearer', body: tokenBody, baseCodes: tokenCodes },
  // Graphistry's clients may add fields and send no body: a valid key then gets its JWT (ok).
  { method: 'POST', path: '/api/v2/auth/pkey/jwt/', guard: 'handler', credential: 'personalKey', body: pkeyBody, baseCodes: ['ok', 'THROTTLED'] },
  { method: 'GET', path: '/api/v2/auth/pkey/jwt/', guard: 'handler', credential: 'personalKey', body: pkeyBody, baseCodes: ['ok', 'THROTTLED'] },
  {
    method: 'POST',
    path: '/api/v2/auth/signup',
    guard: 'none',
    credential: 'bearer',
    body: {
      fields: {
        username: str('username', { required: true }),
        password: str('password', { required: true }),
        email: str('email', { nullable: true }),
        setup_token: str('free'),
      },
      base: { username: 'newcomer', password: STRONG_PASSWORD },
      strict: true,
    },
    // The installation already has its administrator, so a well-formed sign-up is refused.
    baseCodes: ['SIGNUPS_CLOSED'],
  },
  { method: 'GET', path: '/api/v2/auth/registration', guard: 'none', credential: 'bearer', baseCodes: ['ok'] },
  // nginx's auth_request may send the original request's method: every one is answered alike, bodies unread.
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const).map((method): Endpoint => ({
    method,
    path: '/auth/check',
    guard: 'none',
    credential: 'bearer',
    baseCodes: ['ok', 'UNAUTHENTICATED'],
    drainsBody: true,
  })),
  {
    method: 'POST',
    path: '/api/v2/o/:slug/switch/',
    guard: 'handler',
    credential: 'bearer',
    body: { fields: { slug: str('free') }, base: { slug: 'someone-else' }, strict: false, optional: true },
    baseCodes: ['ORG_NOT_FOUND'],
  },
  // pygraphistry's single sign-on: no IdP here, so the start is refused; an unknown state's poll answers at once.
  {
    method: 'POST',
    path: '/api/v2/g/sso/oidc/login/',
    guard: 'none',
    credential: 'bearer',
    body: { fields: { 'client-type': str('free') }, base: { 'client-type': 'pygraphistry' }, strict: false, optional: true },
    baseCodes: ['SSO_PROVIDER_NOT_FOUND'],
  },
  ...['/api/v2/o/:slug/sso/oidc/login/', '/api/v2/o/:slug/sso/oidc/login/:idp/'].map((path): Endpoint => ({
    method: 'POST',
    path,
    guard: 'none',
    credential: 'bearer',
    body: { fields: { 'client-type': str('free') }, base: { 'client-type': 'pygraphistry' }, strict: false, optional: true },
    baseCodes: ['ORG_NOT_FOUND'],
    params: { slug: 'nosuchorg', idp: 'nosuchidp' },
    paramKinds: { idp: 'token' },
  })),
  {
    method: 'GET',
    path: '/api/v2/o/sso/oidc/jwt/:state/',
    guard: 'none',
    credential: 'bearer',
    baseCodes: ['SSO_STATE_INVALID'],
    params: { state: 'nosuchstate' },
    paramKinds: { state: 'token' },
  },
  { method: 'GET', path: '/api/v2/me', guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'GET', path: '/api/v2/me/', guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'GET', path: '/api/v2/me/keys', guard: 'hook', credential: 'bearer', query: 'keys', baseCodes: ['ok'] },
  { method: 'POST', path: '/api/v2/me/keys', guard: 'hook', credential: 'bearer', body: keyBody, baseCodes: ['ok'] },
  { method: 'DELETE', path: '/api/v2/me/keys/:keyId', guard: 'hook', credential: 'bearer', baseCodes: ['KEY_NOT_FOUND'] },
  {
    method: 'POST',
    path: '/api/v2/me/token',
    guard: 'hook',
    credential: 'bearer',
    body: { fields: {}, base: {}, strict: true, optional: true },
    baseCodes: ['ok'],
  },
  {
    method: 'POST',
    path: '/api/v2/me/password',
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: { current_password: str('password', { required: true }), password: str('password', { required: true }) },
      base: { current_password: 'definitely not the current one', password: STRONG_PASSWORD },
      strict: true,
    },
    baseCodes: ['INVALID_CREDENTIALS', 'THROTTLED'],
  },
  { method: 'GET', path: `${A}/users`, guard: 'hook', credential: 'bearer', query: 'users', baseCodes: ['ok'] },
  {
    method: 'POST',
    path: `${A}/users`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: {
        username: str('username', { required: true }),
        password: str('password', { required: true }),
        email: str('email', { nullable: true }),
        is_active: bool,
        is_staff: bool,
        is_superuser: bool,
      },
      // 'victim' exists already, so even the base body is refused (USERNAME_TAKEN).
      base: { username: 'victim', password: STRONG_PASSWORD },
      strict: true,
    },
    baseCodes: ['USERNAME_TAKEN'],
  },
  // A header and no rows: refused whole (NO_ROWS) before any row is judged, so nothing is written.
  {
    method: 'POST',
    path: `${A}/users/import`,
    guard: 'hook',
    credential: 'bearer',
    bodyLimit: 24 * 1024 * 1024,
    body: {
      fields: {
        content: { kind: 'string', required: true, role: 'base64' },
        format: { kind: 'string' },
        dry_run: { ...bool, required: true },
        mode: { kind: 'string' },
        on_existing: { kind: 'string' },
        continue_on_error: bool,
        with_keys: bool,
      },
      base: { content: Buffer.from('username\n').toString('base64'), dry_run: true },
      strict: true,
    },
    baseCodes: ['NO_ROWS'],
  },
  { method: 'GET', path: `${A}/users/ids`, guard: 'hook', credential: 'bearer', query: 'user-ids', baseCodes: ['ok'] },
  { method: 'GET', path: `${A}/users/export`, guard: 'hook', credential: 'bearer', query: 'users', baseCodes: ['ok'] },
  // The base body names a user that does not exist: answered 200 with it under `failed`, nobody changed.
  {
    method: 'POST',
    path: `${A}/users/set-active`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: { ids: { kind: 'ids', required: true }, is_active: { ...bool, required: true } },
      base: { ids: [2_147_483_647], is_active: false },
      strict: true,
    },
    baseCodes: ['ok'],
  },
  { method: 'GET', path: `${A}/users/:id`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  {
    method: 'PATCH',
    path: `${A}/users/:id`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: { username: str('username'), email: str('email', { nullable: true }), is_active: bool, is_staff: bool, is_superuser: bool },
      base: { is_staff: false },
      strict: true,
      nonEmpty: true,
    },
    baseCodes: ['ok'],
  },
  { method: 'DELETE', path: `${A}/users/:id`, guard: 'hook', credential: 'bearer', baseCodes: ['USER_NOT_FOUND'], missingId: true },
  // Lifecycle actions aim at a user that does not exist: refused as such, nobody signed out.
  {
    method: 'POST',
    path: `${A}/users/:id/sign-out`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: { revoke_keys: bool }, base: {}, strict: true, optional: true },
    baseCodes: ['USER_NOT_FOUND'],
    missingId: true,
  },
  {
    method: 'POST',
    path: `${A}/users/:id/require-password-change`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: {}, base: {}, strict: true, optional: true },
    baseCodes: ['USER_NOT_FOUND'],
    missingId: true,
  },
  {
    method: 'POST',
    path: `${A}/users/:id/keys/revoke-all`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: {}, base: {}, strict: true, optional: true },
    baseCodes: ['USER_NOT_FOUND'],
    missingId: true,
  },
  {
    method: 'POST',
    path: `${A}/users/lifecycle`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: { ids: { kind: 'ids', required: true }, action: str('free', { required: true }), revoke_keys: bool },
      base: { ids: [2_147_483_647], action: 'sign_out' },
      strict: true,
    },
    baseCodes: ['ok'],
  },
  {
    method: 'POST',
    path: `${A}/users/:id/password`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: { password: str('password', { required: true }) }, base: { password: STRONG_PASSWORD }, strict: true },
    baseCodes: ['ok'],
  },
  { method: 'GET', path: `${A}/users/:id/keys`, guard: 'hook', credential: 'bearer', query: 'keys', baseCodes: ['ok'] },
  { method: 'POST', path: `${A}/users/:id/keys`, guard: 'hook', credential: 'bearer', body: keyBody, baseCodes: ['ok'] },
  { method: 'DELETE', path: `${A}/users/:id/keys/:keyId`, guard: 'hook', credential: 'bearer', baseCodes: ['KEY_NOT_FOUND'] },
  { method: 'GET', path: `${A}/settings`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  {
    method: 'PUT',
    path: `${A}/settings`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: { IS_SIGNUPS_OPEN_AFTER_FIRST: bool, IS_SIGNUP_STAFF_BY_DEFAULT: bool },
      base: { IS_SIGNUP_STAFF_BY_DEFAULT: false },
      strict: false,
      nonEmpty: true,
      unknownCodes: ['UNKNOWN_SETTING'],
    },
    baseCodes: ['ok'],
  },
  { method: 'GET', path: `${A}/audit`, guard: 'hook', credential: 'bearer', query: 'audit', baseCodes: ['ok'] },
  { method: 'GET', path: `${A}/audit/export`, guard: 'hook', credential: 'bearer', query: 'audit', baseCodes: ['ok'] },
  // Invitations: superusers make single-use sign-up links; anyone holding one may look at it and accept it.
  ...(['', '/'] as const).flatMap((slash): Endpoint[] => [
    { method: 'POST', path: `${A}/invitations${slash}`, guard: 'hook', credential: 'bearer', body: inviteBody, baseCodes: ['ok'] },
    { method: 'GET', path: `${A}/invitations${slash}`, guard: 'hook', credential: 'bearer', query: 'invitations', baseCodes: ['ok'] },
  ]),
  {
    method: 'DELETE',
    path: `${A}/invitations/:id`,
    guard: 'hook',
    credential: 'bearer',
    baseCodes: ['INVITATION_NOT_FOUND'],
    params: { id: 'nosuchinvitation' },
    paramKinds: { id: 'token' },
  },
  // Anyone may ask about a link; an unknown one is reported in the answer, not as an error.
  {
    method: 'GET',
    path: '/api/v2/auth/invitations/:token',
    guard: 'none',
    credential: 'bearer',
    baseCodes: ['ok'],
    params: { token: 'no-such-invitation' },
    paramKinds: { token: 'token' },
  },
  {
    method: 'POST',
    path: '/api/v2/auth/invitations/accept',
    guard: 'none',
    credential: 'bearer',
    body: {
      fields: {
        token: str('token', { required: true }),
        username: str('username', { required: true }),
        password: str('password', { required: true }),
        email: str('email', { nullable: true }),
      },
      base: { token: 'no-such-invitation', username: 'invitee', password: STRONG_PASSWORD },
      strict: true,
    },
    baseCodes: ['INVITATION_NOT_FOUND', 'THROTTLED'],
  },
  // Organizations, self-service: the slug in a path is compared, not validated (unknown: ORG_NOT_FOUND).
  { method: 'GET', path: O, guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'GET', path: `${O}/active`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  { method: 'POST', path: O, guard: 'hook', credential: 'bearer', body: orgBody, baseCodes: ['SLUG_TAKEN'] },
  { method: 'GET', path: `${O}/:slug`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'], params: EXISTING_ORG },
  { method: 'PATCH', path: `${O}/:slug`, guard: 'hook', credential: 'bearer', body: orgPatchBody, baseCodes: ['ORG_NOT_FOUND'] },
  { method: 'DELETE', path: `${O}/:slug`, guard: 'hook', credential: 'bearer', baseCodes: ['ORG_NOT_FOUND'] },
  { method: 'GET', path: `${O}/:slug/members`, guard: 'hook', credential: 'bearer', query: 'org-members', baseCodes: ['ok'], params: EXISTING_ORG },
  {
    method: 'PATCH',
    path: `${O}/:slug/members/:userId`,
    guard: 'hook',
    credential: 'bearer',
    body: roleBody,
    baseCodes: ['ORG_NOT_FOUND'],
    params: MISSING_MEMBER,
    paramKinds: { userId: 'int' },
  },
  {
    method: 'DELETE',
    path: `${O}/:slug/members/:userId`,
    guard: 'hook',
    credential: 'bearer',
    baseCodes: ['ORG_NOT_FOUND'],
    params: MISSING_MEMBER,
    paramKinds: { userId: 'int' },
  },
  {
    method: 'POST',
    path: `${O}/:slug/leave`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: {}, base: {}, strict: true, optional: true },
    baseCodes: ['ORG_NOT_FOUND'],
  },
  ...orgInvitationEndpoints(O),
  // A signed-in user joins with an organization's link; an unknown one is refused.
  {
    method: 'POST',
    path: `${O}/join`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: { token: str('token', { required: true }) }, base: { token: 'no-such-invitation' }, strict: true },
    baseCodes: ['INVITATION_NOT_FOUND'],
  },
  // Organizations, superusers.
  { method: 'GET', path: `${A}/organizations`, guard: 'hook', credential: 'bearer', query: 'orgs', baseCodes: ['ok'] },
  {
    method: 'POST',
    path: `${A}/organizations`,
    guard: 'hook',
    credential: 'bearer',
    body: { ...orgBody, fields: { ...orgBody.fields, admin_user_id: { kind: 'int' } } },
    baseCodes: ['SLUG_TAKEN'],
  },
  { method: 'GET', path: `${A}/organizations/:slug`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'], params: EXISTING_ORG },
  { method: 'PATCH', path: `${A}/organizations/:slug`, guard: 'hook', credential: 'bearer', body: orgPatchBody, baseCodes: ['ORG_NOT_FOUND'] },
  { method: 'DELETE', path: `${A}/organizations/:slug`, guard: 'hook', credential: 'bearer', baseCodes: ['ORG_NOT_FOUND'] },
  {
    method: 'GET',
    path: `${A}/organizations/:slug/members`,
    guard: 'hook',
    credential: 'bearer',
    query: 'org-members',
    baseCodes: ['ok'],
    params: EXISTING_ORG,
  },
  {
    method: 'POST',
    path: `${A}/organizations/:slug/members`,
    guard: 'hook',
    credential: 'bearer',
    body: { fields: { user_id: { kind: 'int', required: true }, role: str('free') }, base: { user_id: 1, role: 'member' }, strict: true },
    baseCodes: ['ORG_NOT_FOUND'],
  },
  {
    method: 'PATCH',
    path: `${A}/organizations/:slug/members/:userId`,
    guard: 'hook',
    credential: 'bearer',
    body: roleBody,
    baseCodes: ['ORG_NOT_FOUND'],
    params: MISSING_MEMBER,
    paramKinds: { userId: 'int' },
  },
  {
    method: 'DELETE',
    path: `${A}/organizations/:slug/members/:userId`,
    guard: 'hook',
    credential: 'bearer',
    baseCodes: ['ORG_NOT_FOUND'],
    params: MISSING_MEMBER,
    paramKinds: { userId: 'int' },
  },
  {
    method: 'POST',
    path: `${A}/organizations/:slug/users`,
    guard: 'hook',
    credential: 'bearer',
    body: {
      fields: {
        username: str('username', { required: true }),
        password: str('password', { required: true }),
        email: str('email', { nullable: true }),
        is_active: bool,
        is_staff: bool,
        is_superuser: bool,
        role: str('free'),
      },
      // No such organization: refused before any account is made.
      base: { username: 'newcomer', password: STRONG_PASSWORD },
      strict: true,
    },
    baseCodes: ['ORG_NOT_FOUND'],
  },
  { method: 'GET', path: `${A}/users/:id/organizations`, guard: 'hook', credential: 'bearer', baseCodes: ['ok'] },
  ...orgInvitationEndpoints(`${A}/organizations`),
  ...ssoEndpoints(`${A}/sso/providers`, []),
  ...ssoEndpoints('/api/v2/organizations/:slug/sso/providers', ['ORG_NOT_FOUND']),
];

const PAGES: PageEndpoint[] = [
  { method: 'GET', path: '/', session: false },
  { method: 'GET', path: '/accounts/signup/', session: false },
  { method: 'POST', path: '/accounts/signup/', session: false },
  { method: 'GET', path: '/accounts/login/', session: false },
  { method: 'POST', path: '/accounts/login/', session: false },
  { method: 'POST', path: '/accounts/logout/', session: true },
  { method: 'GET', path: '/accounts/invite/:token/', session: false, params: { token: 'no-such-invitation' } },
  { method: 'POST', path: '/accounts/invite/:token/', session: false, params: { token: 'no-such-invitation' } },
  { method: 'GET', path: '/set-password/:token/', session: false, params: { token: 'no-such-link' } },
  { method: 'POST', path: '/set-password/:token/', session: false, params: { token: 'no-such-link' } },
  { method: 'GET', path: '/static/:file', session: false, params: { file: 'app.css' } },
  { method: 'GET', path: '/favicon.ico', session: false },
  { method: 'GET', path: '/dashboard/', session: true },
  { method: 'POST', path: '/dashboard/keys', session: true },
  { method: 'GET', path: '/dashboard/keys/:keyId/revoke', session: true, params: { keyId: NOT_FOUND_KEY } },
  { method: 'POST', path: '/dashboard/keys/:keyId/revoke', session: true, params: { keyId: NOT_FOUND_KEY } },
  { method: 'POST', path: '/dashboard/token', session: true },
  { method: 'POST', path: '/dashboard/password', session: true },
  { method: 'GET', path: '/accounts/password/change/', session: true },
  { method: 'POST', path: '/accounts/password/change/', session: true },
  { method: 'POST', path: '/accounts/invite/:token/join', session: true, params: { token: 'no-such-invitation' } },
  { method: 'GET', path: '/dashboard/organizations/', session: true },
  { method: 'POST', path: '/dashboard/organizations/', session: true },
  { method: 'GET', path: '/dashboard/organizations/:slug/', session: true, params: EXISTING_ORG },
  { method: 'GET', path: '/dashboard/organizations/:slug/members/:userId/remove', session: true, params: { ...EXISTING_ORG, userId: '2147483647' } },
  { method: 'POST', path: '/dashboard/organizations/:slug/members/:userId/remove', session: true, params: { ...EXISTING_ORG, userId: '2147483647' } },
  { method: 'POST', path: '/dashboard/organizations/:slug/members/:userId/role', session: true, params: { ...EXISTING_ORG, userId: '2147483647' } },
  { method: 'GET', path: '/dashboard/organizations/:slug/leave', session: true, params: EXISTING_ORG },
  { method: 'POST', path: '/dashboard/organizations/:slug/leave', session: true, params: EXISTING_ORG },
  { method: 'POST', path: '/dashboard/organizations/:slug/users', session: true, params: EXISTING_ORG },
  { method: 'POST', path: '/dashboard/organizations/:slug/invitations', session: true, params: EXISTING_ORG },
  { method: 'POST', path: '/dashboard/organizations/:slug/invitations/:id/revoke', session: true, params: { ...EXISTING_ORG, id: 'nosuchinvitation' } },
  { method: 'GET', path: '/g/sso/oidc/:idp/login/', session: false, params: { idp: 'nosuchidp' } },
  { method: 'GET', path: '/g/sso/oidc/:idp/login/callback', session: false, params: { idp: 'nosuchidp' } },
  { method: 'GET', path: '/o/:org/sso/oidc/:idp/login/', session: false, params: { org: 'acme', idp: 'nosuchidp' } },
  { method: 'GET', path: '/o/:org/sso/oidc/:idp/login/callback', session: false, params: { org: 'acme', idp: 'nosuchidp' } },
];

// ---- case generators --------------------------------------------------------------------

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name}`);
    return v;
  });
}

/** Wrong-typed values for a field of this kind (null only where the field is not nullable). */
function wrongTypes(f: Field): Array<[string, unknown]> {
  const common: Array<[string, unknown]> = [
    ['an array', ['a']],
    ['an empty array', []],
    ['a nested object', { nested: { deep: 'x' } }],
  ];
  if (!f.nullable) common.push(['null', null]);
  switch (f.kind) {
    case 'string':
      return [...common, ['a number', 123], ['a boolean', true], ['a float', 1.5]];
    case 'boolean':
      return [...common, ['the string "true"', 'true'], ['the number 1', 1], ['the string "yes"', 'yes']];
    case 'int':
      return [...common, ['a numeric string', '5'], ['a fraction', 1.5], ['a negative', -1], ['zero', 0], ['1e308', 1e308], ['a boolean', true]];
    case 'ids':
      return [
        ...common,
        ['a bare number', 5],
        ['a comma-separated string', '1,2'],
        ['numeric strings', ['5']],
        ['a fraction', [1.5]],
        ['zero', [0]],
        ['a negative', [-1]],
        ['2^31', [2 ** 31]],
        ['a repeated id', [7, 7]],
        ['501 ids', Array.from({ length: 501 }, (_, i) => i + 1)],
      ];
    case 'datetime':
      return [
        ...common,
        ['a number', 1700000000],
        ['a word', 'tomorrow'],
        ['month 13', '2030-13-01T00:00:00Z'],
        ['Feb 30', '2030-02-30T00:00:00Z'],
        ['no offset', '2030-01-01T00:00:00'],
        ['year 275761', '+275761-01-01T00:00:00Z'],
      ];
  }
}

/** Bad string values by role: [label, value, codes]. `base` is what the route answers once validation passes. */
function badStrings(role: StringRole, base: Array<ErrorCode | 'ok'>): Array<[string, string, Array<ErrorCode | 'ok'>]> {
  const out: Array<[string, string, Array<ErrorCode | 'ok'>]> = [];
  const V: ErrorCode[] = ['VALIDATION'];
  // NUL is refused everywhere (Django and DRF refuse null characters in every form field; PostgreSQL cannot store them).
  out.push(['NUL', 'ab\u0000cd', V], ['only NUL', '\u0000', V]);
  switch (role) {
    case 'username':
      for (const c of CONTROL) out.push([`control chars ${JSON.stringify(c)}`, c, V]);
      for (const s of SQL_META.filter((s) => !djangoUsername(s))) out.push([`SQL metachars ${JSON.stringify(s)}`, s, V]);
      out.push(['empty', '', V], ['a space', ' ', V], ['151 characters', 'u'.repeat(151), V], ['10 KB', 'u'.repeat(10_000), V]);
      break;
    case 'keyname':
      for (const c of CONTROL.filter((c) => c !== 'ad\u0000min')) out.push([`control chars ${JSON.stringify(c)}`, c, V]);
      out.push(['empty', '', V], ['only spaces', '   ', V], ['101 characters', 'k'.repeat(101), V]);
      break;
    case 'email':
      out.push(
        ['control chars', 'a\u001b@b.co', V],
        ['SQL metachars', `' OR 1=1 --@x.io`, V],
        ['not an address', 'nope', V],
        ['255 characters', `${'e'.repeat(245)}@example.io`, V],
      );
      break;
    case 'password':
      out.push(['10 KB', 'p'.repeat(10 * 1024), V], ['empty', '', V]);
      break;
    case 'identifier':
      // A login name is free text (username or email): anything but NUL is looked up, and matches nobody.
      for (const c of CONTROL.filter((c) => !c.includes('\u0000'))) out.push([`control chars ${JSON.stringify(c)}`, c, [...V, ...base]]);
      for (const s of SQL_META) out.push([`SQL metachars ${JSON.stringify(s)}`, s, base]);
      out.push(['empty', '', V], ['255 characters', 'i'.repeat(255), V]);
      break;
    case 'token':
      for (const s of SQL_META) out.push([`SQL metachars ${JSON.stringify(s)}`, s, [...V, ...base]]);
      out.push(['ESC', 'a.b\u001b.c', [...V, ...base]], ['empty', '', V], ['5000 characters', 't'.repeat(5000), V]);
      break;
    case 'slug':
      for (const s of SQL_META) out.push([`SQL metachars ${JSON.stringify(s)}`, s, V]);
      for (const c of CONTROL) out.push([`control chars ${JSON.stringify(c)}`, c, V]);
      out.push(
        ['empty', '', V],
        ['a space', ' ', V],
        ['51 characters', 's'.repeat(51), V],
        ['an inner space', 'a b', V],
        ['a slash', 'a/b', V],
        ['a dot', 'a.b', V],
        ['an @', 'a@b', V],
        ['non-ASCII letters', 'ünïcode', V],
        ['a leading dash', '-acme', V],
        ['a trailing underscore', 'acme_', V],
        ['reserved sso', 'sso', V],
        ['reserved ACTIVE (any case)', 'ACTIVE', V],
        ['reserved join', 'join', V],
      );
      break;
    case 'base64':
      out.push(['ESC', 'x\u001by', V], ['a space', 'YQ== YQ==', V], ['not base64', '!!!', V]);
      out.push(['the base64 of Latin-1 bytes', Buffer.from([0x75, 0x0a, 0xe9]).toString('base64'), ['NOT_UTF8']]);
      break;
    case 'free':
      out.push(['ESC', 'x\u001by', [...V, ...base]], ['5000 characters', 'f'.repeat(5000), V]);
      break;
  }
  return out;
}

function bodyCases(ep: Endpoint, url: string): Case[] {
  const b = ep.body!;
  const m = ep.method;
  const V: ErrorCode[] = ['VALIDATION'];
  const base = ep.baseCodes;
  // The GET personal-key route reads a body only when it is declared JSON (Graphistry's JS client sends one); it ignores any other.
  const send = (label: string, payload: string | Buffer, codes: Array<ErrorCode | 'ok'>, headers: Record<string, string> = JSON_CT): Case => ({
    label,
    method: m,
    url,
    headers,
    payload,
    codes: m === 'GET' && headers['content-type'] !== 'application/json' ? [...codes, ...base] : codes,
  });
  const withField = (k: string, v: unknown) => JSON.stringify({ ...b.base, [k]: v });
  const unknownCodes: Array<ErrorCode | 'ok'> = b.strict ? V : (b.unknownCodes ?? base);
  const firstField = Object.keys(b.fields)[0] ?? 'x';
  const cases: Case[] = [
    send('malformed JSON', '{"username": "x",', ['INVALID_JSON']),
    send('truncated JSON', '{', ['INVALID_JSON']),
    send('JSON with trailing garbage', '{} trailing', ['INVALID_JSON']),
    send('single-quoted pseudo-JSON', "{'username': 'x'}", ['INVALID_JSON']),
    send('a bare word', 'undefined', ['INVALID_JSON']),
    send('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), ['INVALID_JSON', 'VALIDATION', ...unknownCodes]),
    // Fastify's parser refuses these outright; the GET route's own reader may let them through to a passthrough schema.
    send('__proto__ pollution', '{"__proto__": {"is_superuser": true}}', ['INVALID_JSON', 'VALIDATION', ...(m === 'GET' ? base : [])]),
    send('constructor.prototype pollution', '{"constructor": {"prototype": {"is_superuser": true}}}', [
      'INVALID_JSON',
      'VALIDATION',
      ...(m === 'GET' ? base : []),
    ]),
    send('a JSON array', '[]', ep.path.includes('/switch/') ? base : V),
    send('a JSON array of objects', JSON.stringify([b.base]), ep.path.includes('/switch/') ? base : V),
    send('a JSON number', '42', ep.path.includes('/switch/') ? base : V),
    send('a JSON string', '"x"', ep.path.includes('/switch/') ? base : V),
    send('a JSON boolean', 'true', ep.path.includes('/switch/') ? base : V),
    // `null` is read as "no body" where the body is optional.
    send('JSON null', 'null', b.optional ? [...V, ...base] : V),
    send('unknown field', withField('is_admin', true), unknownCodes),
    send('unknown field password_hash', withField('password_hash', '$argon2id$v=19$forged'), unknownCodes),
    send('unknown field with SQL in its name', withField(`"; drop table users; --`, 1), unknownCodes),
    send(`deeply nested value in ${firstField}`, `{"${firstField}": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, b.fields[firstField] ? V : unknownCodes),
    // A route with a larger limit reads such a body, and refuses the unknown field in it.
    send('body over 64 KiB', withField('padding', 'x'.repeat(65 * 1024)), ep.bodyLimit ? unknownCodes : ['PAYLOAD_TOO_LARGE']),
    send('body of 1 MB', withField('padding', 'x'.repeat(1024 * 1024)), ep.bodyLimit ? unknownCodes : ['PAYLOAD_TOO_LARGE']),
    ...(ep.bodyLimit ? [send('body over its limit', withField('padding', 'x'.repeat(ep.bodyLimit)), ['PAYLOAD_TOO_LARGE'])] : []),
    send('text/plain', JSON.stringify(b.base), [...V, 'UNSUPPORTED_MEDIA_TYPE', ...(ep.path.includes('/switch/') ? base : [])], {
      'content-type': 'text/plain',
    }),
    send('application/xml', '<user><username>x</username></user>', ['UNSUPPORTED_MEDIA_TYPE'], { 'content-type': 'application/xml' }),
    send('multipart/form-data', '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n--b--\r\n', ['UNSUPPORTED_MEDIA_TYPE'], {
      'content-type': 'multipart/form-data; boundary=b',
    }),
    send('a nonsense content-type', '{}', ['UNSUPPORTED_MEDIA_TYPE'], { 'content-type': 'foo' }),
  ];
  if (m !== 'GET') cases.push(send('empty body declared as JSON', '', ['INVALID_JSON']));
  const required = Object.entries(b.fields).filter(([, f]) => f.required);
  if (required.length || b.nonEmpty) cases.push(send('an empty object', '{}', V));
  for (const [k] of required) {
    const rest = { ...b.base };
    delete rest[k];
    cases.push(send(`missing required ${k}`, JSON.stringify(rest), V));
  }
  for (const [k, f] of Object.entries(b.fields)) {
    for (const [what, v] of wrongTypes(f)) cases.push(send(`${k} as ${what}`, withField(k, v), V));
    if (f.kind === 'string') {
      for (const [what, v, codes] of badStrings(f.role ?? 'free', base)) cases.push(send(`${k} with ${what}`, withField(k, v), codes));
    }
    if (f.role === 'password') cases.push(send(`${k} of 1 MB`, withField(k, 'p'.repeat(1024 * 1024)), ['PAYLOAD_TOO_LARGE']));
  }
  return cases;
}

/** DELETE routes take no body; Fastify still parses one if sent, so it must fail cleanly. */
function strayBodyCases(ep: Endpoint, url: string): Case[] {
  return [
    { label: 'stray malformed JSON body', method: ep.method, url, headers: JSON_CT, payload: '{"x":', codes: ['INVALID_JSON'] },
    {
      label: 'stray body over 64 KiB',
      method: ep.method,
      url,
      headers: JSON_CT,
      payload: JSON.stringify({ x: 'x'.repeat(65 * 1024) }),
      codes: ['PAYLOAD_TOO_LARGE'],
    },
    { label: 'stray XML body', method: ep.method, url, headers: { 'content-type': 'application/xml' }, payload: '<x/>', codes: ['UNSUPPORTED_MEDIA_TYPE'] },
  ];
}

const enc = encodeURIComponent;
const PAGE_QUERIES = [
  'page=-1',
  'page=0',
  'page=abc',
  'page=1.5',
  'page=1e9999',
  'page=',
  'page=1000001',
  'page=99999999999999999999',
  'page_size=100000',
  'page_size=0',
  'page_size=-5',
  'page_size=abc',
  'page=1&page=2',
  'page_size=10&page_size=20',
  `page=${enc("1' OR 1=1 --")}`,
];

function queryCases(ep: Endpoint, path: string): Case[] {
  const V: ErrorCode[] = ['VALIDATION'];
  // Body routes get their well-formed base body, so the query is the only thing wrong.
  const b = ep.body;
  const q = (label: string, qs: string, codes: Array<ErrorCode | 'ok'> = V): Case => ({
    label,
    method: ep.method,
    url: `${path}?${qs}`,
    codes,
    ...(b ? { headers: JSON_CT, payload: JSON.stringify(b.base) } : {}),
  });
  if (!ep.query) {
    // Routes without query parameters ignore them: no 5xx, JSON errors if any.
    return [
      q('ignored absurd query', `page=-1&page=abc&page_size=100000&ordering=password_hash&search=${enc("' OR 1=1 --")}`, ['ok', ...ep.baseCodes]),
      q('ignored NUL in query', 'search=%00&x=%1b', ['ok', ...ep.baseCodes]),
    ];
  }
  const cases = PAGE_QUERIES.map((qs) => q(qs, qs));
  cases.push(
    q('unknown parameter', 'password_hash=x'),
    q('unknown parameter __proto__', '__proto__=x', [...V, 'ok']),
    q('unknown parameter constructor', 'constructor=x'),
    q('bracket syntax', 'page[$gt]=1'),
  );
  if (ep.query === 'users' || ep.query === 'user-ids') {
    for (const o of [
      'password_hash',
      '-password_hash',
      'auth_epoch',
      'username_lower',
      'username;drop table users',
      "' OR 1=1 --",
      '"; drop table users; --',
      '%',
      '_',
      '\\',
      '-',
      '--username',
      'username,id',
      'id desc',
      '(select 1)',
      '',
    ]) {
      cases.push(q(`ordering=${JSON.stringify(o)}`, `ordering=${enc(o)}`));
    }
    cases.push(
      q('duplicate ordering', 'ordering=id&ordering=username'),
      q('duplicate search', 'search=a&search=b'),
      q('search with NUL', 'search=ab%00cd'),
      q('search with ESC', 'search=ab%1bcd'),
      q('search of 151 characters', `search=${'s'.repeat(151)}`),
      q('is_staff=yes', 'is_staff=yes'),
      q('is_superuser=%00', 'is_superuser=%00'),
      q('is_active=' + enc("' OR 1=1 --"), `is_active=${enc("' OR 1=1 --")}`),
      q('is_active twice', 'is_active=true&is_active=false'),
      q('never_signed_in=maybe', 'never_signed_in=maybe'),
      q('inactive_days=0', 'inactive_days=0'),
      q('inactive_days=-3', 'inactive_days=-3'),
      q('inactive_days=1.5', 'inactive_days=1.5'),
      q('inactive_days=1e9999', 'inactive_days=1e9999'),
      q('inactive_days SQL', `inactive_days=${enc("90' OR 1=1 --")}`),
      q('joined_before=2026-02-30', 'joined_before=2026-02-30'),
      q('joined_before=yesterday', 'joined_before=yesterday'),
      q('joined_before with a time', `joined_before=${enc('2026-01-01T00:00:00Z')}`),
      q('joined_before SQL', `joined_before=${enc("2026-01-01' OR 1=1 --")}`),
    );
    if (ep.query === 'user-ids') {
      for (const l of ['0', '-1', '10001', 'abc', '1.5', '', '1e9999', enc("1' OR 1=1 --")]) cases.push(q(`limit=${JSON.stringify(l)}`, `limit=${l}`));
      cases.push(q('limit twice', 'limit=1&limit=2'));
    }
  } else if (ep.query === 'orgs') {
    for (const o of ['password_hash', 'id', 'admin_count', '-', '--slug', 'slug,name', "' OR 1=1 --", '', 'SLUG'])
      cases.push(q(`ordering=${JSON.stringify(o)}`, `ordering=${enc(o)}`));
    cases.push(
      q('duplicate ordering', 'ordering=slug&ordering=name'),
      q('search with NUL', 'search=ab%00cd'),
      q('search of 151 characters', `search=${'s'.repeat(151)}`),
    );
  } else if (ep.query === 'org-members') {
    cases.push(
      q('role=owner', 'role=owner'),
      q('role SQL', `role=${enc("admin' OR 1=1 --")}`),
      q('duplicate role', 'role=admin&role=member'),
      q('search with ESC', 'search=ab%1bcd'),
      q('search of 151 characters', `search=${'s'.repeat(151)}`),
    );
  } else if (ep.query === 'invitations') {
    cases.push(
      q('status=bogus', 'status=bogus'),
      q('status with NUL', 'status=pending%00'),
      q('status SQL', `status=${enc("pending' OR 1=1 --")}`),
      q('duplicate status', 'status=pending&status=all'),
    );
  } else if (ep.query === 'audit') {
    cases.push(
      q('outcome=bogus', 'outcome=bogus'),
      q('outcome SQL', `outcome=${enc("success' OR 1=1 --")}`),
      q('action with NUL', 'action=user%00.create'),
      q('actor with NUL', 'actor=%00'),
      q('action of 65 characters', `action=${'a'.repeat(65)}`),
      q('actor of 201 characters', `actor=${'a'.repeat(201)}`),
      q('duplicate actor', 'actor=a&actor=b'),
      q('target_user_id=0x2', 'target_user_id=0x2'),
      q('target_user_id=-1', 'target_user_id=-1'),
      q('target_user_id SQL', `target_user_id=${enc("1' OR 1=1 --")}`),
      q('target of 201 characters', `target=${'t'.repeat(201)}`),
    );
  }
  return cases;
}

const BAD_IDS: Array<[string, string]> = [
  ['0', '0'],
  ['-1', '-1'],
  ['1e9999', '1e9999'],
  ['abc', 'abc'],
  ['1.5', '1.5'],
  ['2^31', '2147483648'],
  // Number() would read these as 1 (the admin); Django's <int:pk> converter takes digits only.
  ['hex', '0x1'],
  ['exponent', '1e0'],
  ['leading space', '%201'],
  ['plus sign', '%2B1'],
  ['trailing space', '1%20'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['150 nines', '9'.repeat(150)],
  ['NUL', '%00'],
  ['1 then NUL', '1%00'],
  ['ESC', '%1b'],
  ['SQL OR', enc('1 OR 1=1')],
  ['SQL quote', enc("' OR 1=1 --")],
  ['SQL drop', enc('"; drop table users; --')],
  ['percent', '%25'],
  ['underscore', '_'],
  ['backslash', '%5C'],
];
const BAD_KEY_IDS: Array<[string, string]> = [
  ['NUL', '%00'],
  ['ESC', 'abc%1b'],
  ['SQL quote', enc("' OR 1=1 --")],
  ['SQL drop', enc('"; drop table users; --')],
  ['percent', '%25'],
  ['underscore', '_'],
  ['backslash', '%5C'],
  ['65 characters', 'k'.repeat(65)],
  ['dash', 'abc-def'],
];
const BAD_SLUGS: Array<[string, string]> = [
  ['NUL', '%00'],
  ['ESC', '%1b'],
  ['SQL quote', enc("' OR 1=1 --")],
  ['SQL drop', enc('"; drop table users; --')],
  ['percent', '%25'],
  ['underscore', '_'],
  ['backslash', '%5C'],
];

function paramCases(ep: Endpoint, defaults: Record<string, string>): Case[] {
  const names = [...ep.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  const cases: Case[] = [];
  const mk = (label: string, name: string, value: string, codes: Array<ErrorCode | 'ok'>, preRoute = false): Case => {
    const url = fill(ep.path, { ...defaults, [name]: value });
    const b = ep.body;
    return {
      label: `:${name} ${label}`,
      method: ep.method,
      url,
      codes,
      preRoute,
      // Body routes get their well-formed base body, so the path is the only thing wrong.
      ...(b ? { headers: JSON_CT, payload: JSON.stringify(b.base) } : {}),
    };
  };
  for (const name of names) {
    const kind = ep.paramKinds?.[name] ?? (name === 'id' ? 'int' : name === 'keyId' ? 'token' : 'slug');
    const bad = kind === 'int' ? BAD_IDS : kind === 'token' ? BAD_KEY_IDS : BAD_SLUGS;
    // A free slug is compared, not validated; a token schema may allow '_' and '-', and then the route answers as for an unknown one.
    const codes: Array<ErrorCode | 'ok'> =
      kind === 'slug' ? ['ORG_NOT_FOUND', 'VALIDATION'] : kind === 'token' && name !== 'keyId' ? ['VALIDATION', ...ep.baseCodes] : ['VALIDATION'];
    for (const [label, value] of bad) cases.push(mk(label, name, value, codes));
    // The router may match an empty segment (then the guard and the schema refuse it) or not (404).
    cases.push(mk('empty', name, '', ['NOT_FOUND', 'VALIDATION'], true));
    if (kind === 'token') cases.push(mk('well-formed but unknown', name, 'abc', ep.baseCodes));
  }
  return cases;
}

/** Refused by Fastify's router before any route, hook or error handler runs. */
function routerCases(ep: Endpoint, defaults: Record<string, string>): Case[] {
  const names = [...ep.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  return names.flatMap((name) =>
    [
      ['of 5000 characters (over maxParamLength)', 'x'.repeat(5000)],
      ['with a broken %-escape', '%E0%A4%A'],
      ['with a lone %', 'a%'],
    ].map(([label, value]): Case => ({
      label: `:${name} ${label}`,
      method: ep.method,
      url: fill(ep.path, { ...defaults, [name]: value! }),
      codes: ['VALIDATION', 'NOT_FOUND'],
      preRoute: true,
    })),
  );
}

function paramsFor(ep: Endpoint | PageEndpoint, defaults: Record<string, string>): Record<string, string> {
  return { ...defaults, ...('missingId' in ep && ep.missingId ? { id: '2147483647' } : {}), ...(ep.params ?? {}) };
}

function casesFor(ep: Endpoint, common: Record<string, string>): Case[] {
  const defaults = paramsFor(ep, common);
  const path = fill(ep.path, defaults);
  const cases: Case[] = [...queryCases(ep, path), ...paramCases(ep, defaults)];
  if (ep.body) cases.push(...bodyCases(ep, path));
  if (ep.method === 'DELETE' && !ep.drainsBody) cases.push(...strayBodyCases(ep, path));
  return cases;
}

// ---- checking one answer ------------------------------------------------------------------

/** Problems with one response, or [] when it is acceptable. */
function judge(res: LightMyRequestResponse, allowed: Array<ErrorCode | 'ok'>): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  const lower = res.body.toLowerCase();
  for (const leak of LEAKS) if (lower.includes(leak)) problems.push(`body contains ${JSON.stringify(leak)}`);
  if (status >= 500) problems.push(`status ${status}`);
  if (status < 400) {
    if (!allowed.includes('ok')) problems.push(`status ${status}, wanted one of ${allowed.join('|')}`);
    return problems;
  }
  if (status >= 500) return problems;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`content-type ${String(res.headers['content-type'])}`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    problems.push(`body is not JSON: ${res.body.slice(0, 80)}`);
    return problems;
  }
  if (typeof body.error !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(body.error)) problems.push(`error is ${JSON.stringify(body.error)}`);
  else if (!(body.error in ERROR_CODES)) problems.push(`error ${body.error} is not a registered code`);
  else if (!allowed.includes(body.error as ErrorCode)) problems.push(`got ${status} ${body.error}, wanted one of ${allowed.join('|')}`);
  else if (ERROR_CODES[body.error as ErrorCode] !== status)
    problems.push(`status ${status} does not match ${body.error} (${ERROR_CODES[body.error as ErrorCode]})`);
  if (typeof body.message !== 'string' || body.message.length === 0) problems.push(`message is ${JSON.stringify(body.message)}`);
  return problems;
}

// ---- the HTML pages -----------------------------------------------------------------------

const FORM_CT = { 'content-type': 'application/x-www-form-urlencoded' };
/** Every field name the pages' forms read, so each bad value reaches whichever form this is. */
const FORM_FIELDS = [
  ...['username', 'email', 'password', 'password2', 'setup_token', 'current_password', 'name', 'expires_in_days', 'next'],
  ...['slug', 'role', 'expires_in_hours', 'note'],
];
const PAGE_LEAKS = ['sqlite', 'syntax error', 'node_modules', 'src-server', 'at async', '$argon2', 'test$', 'stack:', 'typeerror', 'referenceerror'];
const OFFSITE_NEXT = ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '%00', '/%0d%0aSet-Cookie:x=1'];
const BAD_PAGE_PARAMS: Array<[string, string]> = [
  ...BAD_KEY_IDS,
  ['path traversal', '..%2F..%2Fpackage.json'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['toString', 'toString'],
  ['hasOwnProperty', 'hasOwnProperty'],
];

interface PageCase {
  label: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Form fields (the CSRF token is added per run), or a raw body. */
  form?: Array<[string, string]>;
  raw?: { payload: string; headers: Record<string, string> };
  /** A 2xx would be wrong (a file or page that must not exist). */
  mustFail?: boolean;
}

function pageCases(pg: PageEndpoint, defaults: Record<string, string>): PageCase[] {
  const params = paramsFor(pg, defaults);
  const url = fill(pg.path, params);
  const cases: PageCase[] = [];
  for (const next of OFFSITE_NEXT)
    cases.push({ label: `next=${next}`, method: pg.method, url: `${url}?next=${enc(next)}`, ...(pg.method === 'POST' ? { form: [['next', next]] } : {}) });
  cases.push({
    label: 'absurd query',
    method: pg.method,
    url: `${url}?page=-1&page=abc&search=${enc("' OR 1=1 --")}&x=%00`,
    ...(pg.method === 'POST' ? { form: [] } : {}),
  });
  for (const name of [...pg.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!)) {
    for (const [label, value] of BAD_PAGE_PARAMS) {
      cases.push({
        label: `:${name} ${label}`,
        method: pg.method,
        url: fill(pg.path, { ...params, [name]: value }),
        mustFail: name === 'file',
        ...(pg.method === 'POST' ? { form: [] } : {}),
      });
    }
  }
  if (pg.method === 'POST') {
    const values: Array<[string, string]> = [
      ['NUL', 'ab\u0000cd'],
      ['ESC', '\u001b[31mred'],
      ['empty', ''],
      ['10 KB', 'v'.repeat(10 * 1024)],
      ...SQL_META.map((v): [string, string] => [`SQL ${JSON.stringify(v)}`, v]),
    ];
    for (const [label, value] of values) cases.push({ label: `every field ${label}`, method: 'POST', url, form: FORM_FIELDS.map((f) => [f, value]) });
    cases.push({
      label: 'every field twice',
      method: 'POST',
      url,
      form: FORM_FIELDS.flatMap((f): Array<[string, string]> => [
        [f, 'a'],
        [f, 'b'],
      ]),
    });
    cases.push({ label: 'no CSRF token', method: 'POST', url, raw: { payload: 'username=admin&password=x', headers: FORM_CT } });
    cases.push({ label: 'forged CSRF token', method: 'POST', url, raw: { payload: `csrf=${'A'.repeat(43)}&username=admin&password=x`, headers: FORM_CT } });
    cases.push({ label: 'malformed JSON', method: 'POST', url, raw: { payload: '{"username":', headers: JSON_CT } });
    cases.push({ label: 'JSON array', method: 'POST', url, raw: { payload: '[1,2]', headers: JSON_CT } });
    cases.push({ label: 'form over 64 KiB', method: 'POST', url, raw: { payload: `username=${'x'.repeat(65 * 1024)}`, headers: FORM_CT } });
    cases.push({ label: 'application/xml', method: 'POST', url, raw: { payload: '<x/>', headers: { 'content-type': 'application/xml' } } });
    cases.push({
      label: 'multipart',
      method: 'POST',
      url,
      raw: {
        payload: '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n--b--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      },
    });
    cases.push({ label: 'broken %-escapes in the form', method: 'POST', url, raw: { payload: 'username=%E0%A4%A&password=%ZZ', headers: FORM_CT } });
  }
  return cases;
}

/** Problems with one page answer, or []. */
function judgePage(res: LightMyRequestResponse, c: PageCase): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  const lower = res.body.toLowerCase();
  for (const leak of PAGE_LEAKS) if (lower.includes(leak)) problems.push(`body contains ${JSON.stringify(leak)}`);
  if (status >= 500) problems.push(`status ${status}`);
  if (status >= 300 && status < 400) {
    const location = String(res.headers.location ?? '');
    if (!/^\/(?![/\\])/.test(location) || /[\r\n]/.test(location)) problems.push(`redirect off the site: ${JSON.stringify(location)}`);
  }
  if (c.mustFail && status < 400) problems.push(`status ${status}, wanted a 4xx`);
  if (status >= 400 && status < 500) {
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('application/json')) {
      try {
        const body = JSON.parse(res.body) as Record<string, unknown>;
        if (typeof body.error !== 'string' || !(body.error in ERROR_CODES) || typeof body.message !== 'string')
          problems.push(`JSON error body ${res.body.slice(0, 80)}`);
      } catch {
        problems.push('JSON content-type but not JSON');
      }
    } else if (!type.startsWith('text/html')) {
      problems.push(`error answered as ${type}`);
    }
  }
  return problems;
}

function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}

/** Every (method, path) Fastify has registered, from printRoutes' tree; HEAD mirrors GET and is left out. */
function registeredRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const full = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = full;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (method !== 'HEAD') out.push(routeKey(method, full));
    }
  }
  return out;
}

describe.each(dialects())('bad input on every endpoint (%s)', (dialect) => {
  let t: TestApp;
  let admin: SignedUp;
  let victim: SignedUp;
  let defaults: Record<string, string>;
  let usersBefore: number;
  const created = new Set<string>();

  beforeAll(async () => {
    // Throttling would turn valid-shaped logins into THROTTLED, which is allowed, but keep it out of the way.
    t = await makeTestApp(dialect, { config: { throttleAddressFailures: 100_000, throttleAccountFailures: 10_000, throttleSsoStarts: 1_000_000 } });
    admin = await signup(t.app, 'admin');
    victim = await adminCreateUser(t.app, admin.token, { username: 'victim' });
    created.add('admin').add('victim');
    await t.services.orgs.create({ userId: admin.user.id, username: 'admin', ip: null }, { slug: EXISTING_ORG.slug });
    defaults = { id: String(victim.user.id), keyId: NOT_FOUND_KEY, slug: 'someone-else' };
    usersBefore = created.size;
  });
  afterAll(async () => t?.close());

  const credentials = (ep: Endpoint): Record<string, string> =>
    ep.credential === 'personalKey' ? { authorization: admin.key.authorization } : bearer(admin.token);

  it('the table covers every registered route, and the OpenAPI document lists no other', async () => {
    const registered = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    // A change in printRoutes' format must not make this check vacuous.
    expect(registered.length).toBeGreaterThanOrEqual(30);
    expect(registered).toContain('DELETE /api/v2/admin/users/:id/keys/:keyId');
    const table = [...ENDPOINTS, ...PAGES].map((e) => routeKey(e.method, e.path));
    expect(new Set(table).size).toBe(table.length);
    expect([...registered].sort()).toEqual([...table].sort());

    const doc = json<{ paths: Record<string, Record<string, unknown>> }>(await t.app.inject({ method: 'GET', url: '/api/v2/openapi.json' }));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => routeKey(m.toUpperCase(), p.replace(/\{([A-Za-z_]+)\}/g, ':$1'))),
    );
    expect(documented.length).toBeGreaterThanOrEqual(30);
    for (const r of documented) expect(table).toContain(r);
  });

  /** Send each case as the superuser and anonymously; return every problem found. */
  async function runCases(ep: Endpoint, cases: Case[]): Promise<string[]> {
    const failures: string[] = [];
    for (const c of cases) {
      for (const who of ['superuser', 'anonymous'] as const) {
        const headers = { ...(c.headers ?? {}), ...(who === 'superuser' ? credentials(ep) : {}) };
        let allowed = c.codes;
        // Refused by the router (or matched after all, and then refused by the guard).
        if (who === 'anonymous' && c.preRoute && ep.guard !== 'none') allowed = [...c.codes, 'UNAUTHENTICATED'];
        if (who === 'anonymous' && !c.preRoute && ep.guard === 'hook') allowed = ['UNAUTHENTICATED'];
        if (who === 'anonymous' && !c.preRoute && ep.guard === 'handler') {
          allowed = [...c.codes.filter((code) => PARSE_LEVEL.has(code)), 'UNAUTHENTICATED'];
        }
        const res = await t.app.inject({ method: c.method, url: c.url, headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
        for (const p of judge(res, allowed)) failures.push(`${who} ${c.method} ${c.url.slice(0, 80)} [${c.label}]: ${p}`);
      }
    }
    return failures;
  }

  it.each(ENDPOINTS.map((e) => [routeKey(e.method, e.path), e] as const))(
    '%s: bad input is refused with a clean 4xx, as superuser and anonymously',
    async (_name, ep) => {
      const cases = casesFor(ep, defaults);
      expect(cases.length).toBeGreaterThan(1);
      expect(await runCases(ep, cases)).toEqual([]);
    },
  );

  it('path parameters the router itself refuses (bad %-escapes, over maxParamLength) still get {error, message}', async () => {
    const withParams = ENDPOINTS.filter((e) => e.path.includes(':'));
    expect(withParams.length).toBeGreaterThanOrEqual(9);
    const failures: string[] = [];
    for (const ep of withParams) failures.push(...(await runCases(ep, routerCases(ep, paramsFor(ep, defaults)))));
    expect(failures).toEqual([]);
  });

  it('credentials made of SQL metacharacters or control characters are a 401 on every guarded route', async () => {
    const headers = [
      `Bearer ' OR 1=1 --`,
      `Bearer '%_\\`,
      `PersonalKey ' OR 1=1 --:x`,
      `PersonalKey '%_\\:secret`,
      `PersonalKey ${"'; drop table users; --".replace(/ /g, '')}:${'s'.repeat(10)}`,
      `PersonalKey ${'k'.repeat(5000)}:${'s'.repeat(5000)}`,
      `Basic ${Buffer.from("admin:' OR 1=1 --").toString('base64')}`,
      'Bearer',
      'PersonalKey :',
    ];
    const failures: string[] = [];
    for (const ep of ENDPOINTS.filter((e) => e.guard !== 'none')) {
      const url = fill(ep.path, paramsFor(ep, defaults));
      for (const authorization of headers) {
        const res = await t.app.inject({
          method: ep.method,
          url,
          headers: { authorization, ...(ep.body ? JSON_CT : {}) },
          ...(ep.body ? { payload: JSON.stringify(ep.body.base) } : {}),
        });
        for (const p of judge(res, ['UNAUTHENTICATED', 'THROTTLED'])) failures.push(`${ep.method} ${ep.path} with ${authorization.slice(0, 40)}: ${p}`);
      }
    }
    expect(failures).toEqual([]);
  });

  /** Sign in through the login form, as a browser does; returns the session cookie and its CSRF token. */
  async function pageSession(): Promise<{ cookie: string; csrf: string }> {
    const csrfOf = (res: LightMyRequestResponse) => /name="csrf" value="([^"]+)"/.exec(res.body)?.[1];
    const form = await t.app.inject({ method: 'GET', url: '/accounts/login/' });
    const pre = form.cookies.find((c) => c.name === 'gadm_presession');
    const login = await t.app.inject({
      method: 'POST',
      url: '/accounts/login/',
      headers: { ...FORM_CT, cookie: `gadm_presession=${pre?.value ?? ''}` },
      payload: new URLSearchParams({ csrf: csrfOf(form) ?? '', username: 'admin', password: STRONG_PASSWORD }).toString(),
    });
    const session = login.cookies.find((c) => c.name === 'gadm_session');
    if (!session) throw new Error(`page sign-in failed: ${login.statusCode} ${login.body.slice(0, 200)}`);
    const cookie = `gadm_session=${session.value}`;
    const dashboard = await t.app.inject({ method: 'GET', url: '/dashboard/', headers: { cookie } });
    const csrf = csrfOf(dashboard);
    if (!csrf) throw new Error(`no CSRF token on the dashboard: ${dashboard.statusCode}`);
    return { cookie, csrf };
  }

  /** An anonymous browser: the pre-session cookie and the CSRF token of a sign-in form. */
  async function anonymousBrowser(): Promise<{ cookie: string; csrf: string }> {
    const form = await t.app.inject({ method: 'GET', url: '/accounts/login/' });
    const pre = form.cookies.find((c) => c.name === 'gadm_presession');
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
    if (!pre || !csrf) throw new Error('the sign-in form set no pre-session cookie or CSRF token');
    return { cookie: `gadm_presession=${pre.value}`, csrf };
  }

  it.each(PAGES.map((p) => [routeKey(p.method, p.path), p] as const))(
    'page %s: bad input never gets a 5xx, an off-site redirect or internals, signed in and anonymously',
    async (_name, pg) => {
      const cases = pageCases(pg, defaults);
      expect(cases.length).toBeGreaterThan(1);
      const failures: string[] = [];
      for (const c of cases) {
        for (const who of ['signed-in', 'anonymous'] as const) {
          // A fresh session per request: some of these (sign-out) end it.
          const browser = who === 'signed-in' ? await pageSession() : await anonymousBrowser();
          const headers: Record<string, string> = { ...(c.headers ?? {}), cookie: browser.cookie, ...bearer(admin.token) };
          let payload: string | undefined;
          if (c.raw) {
            Object.assign(headers, c.raw.headers);
            payload = c.raw.payload;
          } else if (c.form) {
            Object.assign(headers, FORM_CT);
            payload = new URLSearchParams([['csrf', browser.csrf], ...c.form]).toString();
          }
          const res = await t.app.inject({ method: c.method, url: c.url, headers, ...(payload !== undefined ? { payload } : {}) });
          for (const p of judgePage(res, c)) failures.push(`${who} ${c.method} ${c.url.slice(0, 80)} [${c.label}]: ${p}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it('SQL-metacharacter usernames: refused with VALIDATION when Django would refuse them, otherwise stored verbatim', async () => {
    const candidates = [...SQL_META, 'x_y--', 'x@y.io', 'robert.tables+1', 'o_o', '__', '-1'];
    for (const username of candidates) {
      const res = await t.app.inject({ method: 'POST', url: `${A}/users`, headers: bearer(admin.token), payload: { username, password: STRONG_PASSWORD } });
      if (!djangoUsername(username)) {
        expect(res.statusCode, username).toBe(400);
        expect(json(res).error, username).toBe('VALIDATION');
        continue;
      }
      expect(res.statusCode, `${username}: ${res.body}`).toBe(201);
      created.add(username);
      const id = json<{ user: { id: number; username: string } }>(res).user.id;
      const got = json<{ username: string }>(await t.app.inject({ method: 'GET', url: `${A}/users/${id}`, headers: bearer(admin.token) }));
      expect(got.username).toBe(username);
      // And it logs in under exactly that name.
      const login = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username, password: STRONG_PASSWORD } });
      expect(login.statusCode, username).toBe(200);
    }
    // The one the brief singles out.
    const quoted = await t.app.inject({
      method: 'POST',
      url: `${A}/users`,
      headers: bearer(admin.token),
      payload: { username: `' OR 1=1 --`, password: STRONG_PASSWORD },
    });
    expect(json(quoted)).toMatchObject({ error: 'VALIDATION' });
    // Renaming to one is refused the same way.
    const rename = await t.app.inject({
      method: 'PATCH',
      url: `${A}/users/${victim.user.id}`,
      headers: bearer(admin.token),
      payload: { username: `' OR 1=1 --` },
    });
    expect(json(rename)).toMatchObject({ error: 'VALIDATION' });
    // Logging in as one matches nobody (no "OR 1=1" login as the first user).
    const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: `admin' --`, password: 'x' } });
    expect(login.statusCode).toBe(400);
    expect(json(login).error).toBe('INVALID_CREDENTIALS');
  });

  it('key names with SQL metacharacters are stored verbatim', async () => {
    for (const name of SQL_META) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v2/me/keys', headers: bearer(admin.token), payload: { name } });
      expect(res.statusCode, res.body).toBe(201);
      expect(json<{ name: string }>(res).name).toBe(name);
    }
    const list = json<{ results: Array<{ name: string }> }>(await t.app.inject({ method: 'GET', url: '/api/v2/me/keys', headers: bearer(admin.token) }));
    for (const name of SQL_META) expect(list.results.map((k) => k.name)).toContain(name);
  });

  it('search treats %, _ and \\ literally and SQL metacharacters as plain text', async () => {
    await adminCreateUser(t.app, admin.token, { username: 'a_b' });
    await adminCreateUser(t.app, admin.token, { username: 'axb' });
    await adminCreateUser(t.app, admin.token, { username: 'percent', email: 'fifty%off@example.io' });
    created.add('a_b').add('axb').add('percent');
    const search = async (q: string, extra = '') => {
      const res = await t.app.inject({ method: 'GET', url: `${A}/users?search=${enc(q)}&page_size=500${extra}`, headers: bearer(admin.token) });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
      return json<{ count: number; results: Array<{ username: string }> }>(res)
        .results.map((u) => u.username)
        .sort();
    };
    expect(await search('a_b')).toEqual(['a_b']);
    expect(await search('axb')).toEqual(['axb']);
    const withUnderscore = [...created].filter((u) => u.includes('_')).sort();
    expect(withUnderscore.length).toBeGreaterThanOrEqual(3);
    expect(await search('_')).toEqual(withUnderscore);
    expect(await search('%')).toEqual(['percent']);
    expect(await search('50%')).toEqual([]);
    expect(await search('y%off')).toEqual(['percent']);
    expect(await search('\\')).toEqual([]);
    expect(await search(`' OR 1=1 --`)).toEqual([]);
    expect(await search(`"; drop table users; --`)).toEqual([]);
    expect(await search(`%' OR '1'='1`)).toEqual([]);
    expect(await search('A_B', '&ordering=-username')).toEqual(['a_b']);
  });

  it('the audit filters compare SQL metacharacters as plain text', async () => {
    // Failed logins above were audited under markers of the names they tried (`' O…#1a2b3c4d`), which hold SQL metacharacters too.
    for (const value of [`' OR 1=1 --`, '%', '_', '\\', `"; drop table users; --`]) {
      const byActor = await t.app.inject({ method: 'GET', url: `${A}/audit?actor=${enc(value)}&page_size=500`, headers: bearer(admin.token) });
      expect(byActor.statusCode, byActor.body).toBe(200);
      const page = json<{ count: number; results: Array<{ actor: string }> }>(byActor);
      for (const r of page.results) expect(r.actor).toBe(value);
      const direct = await t.db.read
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('actor', '=', value)
        .executeTakeFirst();
      expect(page.count).toBe(Number(direct?.n ?? 0));
      const byAction = await t.app.inject({ method: 'GET', url: `${A}/audit?action=${enc(value)}`, headers: bearer(admin.token) });
      expect(json<{ count: number }>(byAction).count).toBe(0);
    }
    const marker = t.services.audit.unknownName(`' OR 1=1 --`);
    const quoted = await t.app.inject({ method: 'GET', url: `${A}/audit?actor=${enc(marker)}`, headers: bearer(admin.token) });
    expect(json<{ count: number }>(quoted).count).toBeGreaterThan(0);
  });

  it('afterwards the database is intact: every user is still there and the admin still works', async () => {
    const rows = await t.db.read.selectFrom('users').select(['username', 'password_hash']).execute();
    expect(rows.length).toBeGreaterThanOrEqual(usersBefore);
    expect(new Set(rows.map((r) => r.username))).toEqual(created);
    for (const r of rows) expect(r.password_hash.startsWith('test$')).toBe(true);
    const counted = await sql<{ n: number | string }>`select count(*) as n from users`.execute(t.db.read);
    expect(Number(counted.rows[0]!.n)).toBe(created.size);
    const me = await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(admin.token) });
    expect(json(me)).toMatchObject({ username: 'admin', is_superuser: true });
    // Nothing above created a superuser or a staff member besides the admin (no mass assignment through bad bodies).
    const page = await t.services.users.list({ is_superuser: true });
    expect(page.results.map((u) => u.username)).toEqual(['admin']);
    expect((await t.services.users.list({ is_staff: true })).results.map((u) => u.username)).toEqual(['admin']);
    // Every table the server owns still exists.
    for (const table of ['users', 'personal_keys', 'settings', 'audit_log'] as const) {
      await expect(t.db.read.selectFrom(table).selectAll().limit(1).execute()).resolves.toBeDefined();
    }
  });
});

describe.each(dialects())('the sign-up page applies the API rules (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(dialect);
  });
  afterAll(async () => t?.close());

  async function pageSignup(fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const form = await t.app.inject({ method: 'GET', url: '/accounts/signup/' });
    const pre = form.cookies.find((c) => c.name === 'gadm_presession');
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    return t.app.inject({
      method: 'POST',
      url: '/accounts/signup/',
      headers: { ...FORM_CT, cookie: `gadm_presession=${pre?.value ?? ''}` },
      payload: new URLSearchParams({ csrf, password: STRONG_PASSWORD, password2: STRONG_PASSWORD, ...fields }).toString(),
    });
  }

  it('usernames and emails the API refuses are refused by the form too, even for the first administrator', async () => {
    const bad: Array<Record<string, string>> = [
      { username: `' OR 1=1 --` },
      { username: 'esc\u001b[31mape' },
      { username: 'tab\tname' },
      { username: 'u'.repeat(151) },
      { username: 'fine_name', email: 'not an email' },
      { username: 'fine_name', email: 'a\u001b@b.co' },
    ];
    for (const fields of bad) {
      const api = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { password: STRONG_PASSWORD, ...fields } });
      expect(json(api).error, JSON.stringify(fields)).toBe('VALIDATION');
      const res = await pageSignup(fields);
      expect(res.statusCode, `${JSON.stringify(fields)} -> ${res.statusCode} ${String(res.headers.location ?? '')}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      const rows = await t.db.read.selectFrom('users').select(['username', 'email']).execute();
      expect(rows, JSON.stringify(fields)).toEqual([]);
    }
    // The form does work for a valid name, so the refusals above are about the input.
    const ok = await pageSignup({ username: 'first_admin' });
    expect(ok.statusCode).toBe(303);
    expect((await t.db.read.selectFrom('users').select('username').execute()).map((r) => r.username)).toEqual(['first_admin']);
  });

  it('the invitation page refuses the same usernames and emails (and keeps the link usable)', async () => {
    // Independent of the test above (whatever it left): a superuser of our own to make the link.
    await t.services.users.create(
      { userId: null, username: 'test', ip: null },
      { username: 'inviter', password: STRONG_PASSWORD, is_superuser: true, email: null },
    );
    const login = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'inviter', password: STRONG_PASSWORD } });
    const admin = json<{ token: string }>(login).token;
    const invite = await t.app.inject({ method: 'POST', url: `${A}/invitations`, headers: bearer(admin), payload: {} });
    expect(invite.statusCode, invite.body).toBe(201);
    const token = json<{ token: string }>(invite).token;
    const before = (await t.db.read.selectFrom('users').select('username').execute()).length;
    const bad: Array<Record<string, string>> = [{ username: `' OR 1=1 --` }, { username: 'esc\u001bape' }, { username: 'fine_name', email: 'not an email' }];
    for (const fields of bad) {
      const api = await t.app.inject({ method: 'POST', url: '/api/v2/auth/invitations/accept', payload: { token, password: STRONG_PASSWORD, ...fields } });
      expect(json(api).error, JSON.stringify(fields)).toBe('VALIDATION');
      const page = await t.app.inject({ method: 'GET', url: `/accounts/invite/${token}/` });
      const pre = page.cookies.find((c) => c.name === 'gadm_presession');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const res = await t.app.inject({
        method: 'POST',
        url: `/accounts/invite/${token}/`,
        headers: { ...FORM_CT, cookie: `gadm_presession=${pre?.value ?? ''}` },
        payload: new URLSearchParams({ csrf, password: STRONG_PASSWORD, password2: STRONG_PASSWORD, ...fields }).toString(),
      });
      expect(res.statusCode, `${JSON.stringify(fields)} -> ${res.statusCode} ${String(res.headers.location ?? '')}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect((await t.db.read.selectFrom('users').select('username').execute()).length, JSON.stringify(fields)).toBe(before);
    }
  });
});
