import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { UserQuery, UsersRead } from '../../src-shared/domain.ts';
import type { ExportedFile } from '../../src-shared/console-api.ts';
import { exportFileName, type UserExportFormat } from '../../src-shared/user-export.ts';
import type { Backend, BackendAuth } from '../contracts.ts';
import { createHttpClient, newerServerCall, type HttpClient, type RequestSpec } from './http-client.ts';
import * as wire from './wire-schemas.ts';
import { EMBEDDED_CAPABILITIES } from './capabilities.ts';
import { checkBulkCall, checkGetUsers, checkIdsLimit } from './bulk-limits.ts';
import { orgCalls } from './embedded-orgs.ts';
import { ssoCalls } from './embedded-sso.ts';

export interface EmbeddedBackendOptions {
  baseUrl: string;
  auth?: BackendAuth;
  /** Per request, connection included. Default 15 s. */
  timeoutMs?: number;
  /** PEM to trust for an https server with a self-signed or private certificate. */
  ca?: string;
  /** The profile's own trust (a CA file or a pinned certificate; tls-trust.ts). */
  httpsAgent?: () => Promise<import('node:https').Agent | undefined>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** What a credential may contain: visible ASCII only, so it can never split or smuggle a header. */
const HEADER_SAFE = /^[\x21-\x7e]{1,4096}$/;

/**
 * The embedded account server's REST API (docs/http-api.md), as a `Backend`.
 * Every failure is a `ConsoleFailure`; see http-errors.ts for the mapping.
 *
 * @example
 * const anon = createEmbeddedBackend({ baseUrl: 'http://127.0.0.1:8000' });
 * const { token } = await anon.login('admin', password);
 * const admin = anon.withAuth({ type: 'bearer', token });
 * const page = await admin.listUsers({ search: 'ali', page_size: 25 });
 */
export function createEmbeddedBackend(opts: EmbeddedBackendOptions): Backend {
  const client = createHttpClient({
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.httpsAgent ? { httpsAgent: opts.httpsAgent } : {}),
  });
  return backendOn(client, opts.auth);
}

function authorizationOf(auth: BackendAuth | undefined): { authorization?: string; secrets: string[] } {
  if (!auth) return { secrets: [] };
  if (auth.type === 'admin_password') {
    throw new ConsoleFailure({
      code: 'UNSUPPORTED',
      message: 'This server is a Graphistry Admin server: sign in with a personal key or a password through its token API.',
    });
  }
  const parts = auth.type === 'bearer' ? [auth.token] : [auth.id, auth.secret];
  if (!parts.every((p) => HEADER_SAFE.test(p)) || (auth.type === 'personal_key' && auth.id.includes(':'))) {
    throw new ConsoleFailure({ code: 'UNAUTHORIZED', message: 'The saved credential is malformed: sign in again.' });
  }
  const authorization = auth.type === 'bearer' ? `Bearer ${auth.token}` : `PersonalKey ${auth.id}:${auth.secret}`;
  return { authorization, secrets: auth.type === 'bearer' ? [auth.token] : [auth.secret, authorization] };
}

const flag = (v: boolean | undefined) => (v === undefined ? undefined : String(v));
/** The list's query string: search, filters and ordering (paging is added by the caller that pages). */
const filterQuery = (q: Omit<UserQuery, 'page' | 'page_size'>) => ({
  search: q.search,
  is_staff: flag(q.is_staff),
  is_superuser: flag(q.is_superuser),
  is_active: flag(q.is_active),
  sign_in: q.sign_in,
  never_signed_in: flag(q.never_signed_in),
  inactive_days: q.inactive_days,
  joined_before: q.joined_before,
  ordering: q.ordering,
});
/** An export is a whole file: up to 64 MiB (about 400,000 users as CSV), streamed by the server for as long as it takes. */
const EXPORT_BOUNDS = { timeoutMs: 120_000, maxAnswerBytes: 64 * 1024 * 1024 };
const exported = (what: 'users' | 'audit', format: UserExportFormat, text: string): ExportedFile => ({
  file_name: exportFileName(what, format, new Date()),
  content_type: format === 'csv' ? 'text/csv' : 'application/json',
  text,
  count: null,
});
const seg = (v: string | number) => encodeURIComponent(String(v));
const keysPath = (user: 'me' | number) => (user === 'me' ? '/api/v2/me/keys' : `/api/v2/admin/users/${seg(user)}/keys`);

/**
 * Bodies are rebuilt from the fields the server knows (JSON drops the
 * undefined ones): its schemas are strict, and a caller passing its whole
 * parameter object (a profile id, say) would otherwise get a VALIDATION error.
 */
function backendOn(http: HttpClient, auth: BackendAuth | undefined): Backend {
  // `secrets`: what the call itself carries (a client secret), scrubbed from errors with the credential.
  const call = async <T>(spec: Omit<RequestSpec<T>, 'authorization'>): Promise<T> => {
    const a = authorizationOf(auth);
    return http.send({ ...spec, ...a, secrets: [...a.secrets, ...(spec.secrets ?? [])] });
  };
  // Anonymous calls never carry the credential, even on an authenticated copy.
  const anon = <T>(spec: Omit<RequestSpec<T>, 'authorization' | 'secrets'>): Promise<T> => http.send(spec);

  return {
    kind: 'embedded',
    baseUrl: http.baseUrl,
    withAuth: (next) => backendOn(http, next),
    capabilities: async () => EMBEDDED_CAPABILITIES,
    // Nothing to end: a personal key or a JWT is not a session (signing out revokes the key instead).
    endSession: async () => undefined,

    health: async () => {
      await anon({ method: 'GET', path: '/ht/', expect: 'text' });
    },
    registrationState: () => anon({ method: 'GET', path: '/api/v2/auth/registration', expect: wire.registrationSchema }),
    signUp: ({ username, password, email, setup_token }) =>
      anon({ method: 'POST', path: '/api/v2/auth/signup', body: { username, password, email, setup_token }, expect: wire.signUpSchema }),
    // The console's own sign-in asks the server to refuse non-superusers before it counts a login (and audits the refusal).
    login: (username, password, opts) =>
      anon({
        method: 'POST',
        path: '/api/v2/auth/token/generate',
        body: { username, password, ...(opts?.requireSuperuser ? { require_superuser: true } : {}) },
        expect: wire.tokenSchema,
      }),

    me: () => call({ method: 'GET', path: '/api/v2/me', expect: wire.userSchema }),
    listUsers: (q: UserQuery) =>
      call({
        method: 'GET',
        path: '/api/v2/admin/users',
        query: { ...filterQuery(q), page: q.page, page_size: q.page_size },
        expect: wire.pageOf(wire.listedUserSchema),
      }),
    listUserIds: async (q, limit) => {
      checkIdsLimit(limit);
      return call({ method: 'GET', path: '/api/v2/admin/users/ids', query: { ...filterQuery(q), limit }, expect: wire.matchingIdsSchema });
    },
    setUsersActive: async (ids, active) => {
      // Splitting a longer run is the caller's: it shows progress and may stop between calls.
      checkBulkCall(ids);
      // The server refuses an empty list as a mistake; for the contract it is a call that changes nobody, as on a Graphistry.
      if (ids.length === 0) return { changed: [], unchanged: [], failed: [] };
      return call({ method: 'POST', path: '/api/v2/admin/users/set-active', body: { ids: [...ids], is_active: active }, expect: wire.bulkActiveSchema });
    },
    userLifecycle: async (ids, action, { revokeKeys }) => {
      checkBulkCall(ids);
      if (ids.length === 0) return { changed: [], unchanged: [], failed: [] };
      const body = { ids: [...ids], action, ...(action === 'sign_out' && revokeKeys ? { revoke_keys: true } : {}) };
      return call({ method: 'POST', path: '/api/v2/admin/users/lifecycle', body, expect: wire.bulkActiveSchema });
    },
    exportUsers: async (q, format) =>
      exported(
        'users',
        format,
        await call({ method: 'GET', path: '/api/v2/admin/users/export', query: { ...filterQuery(q), format }, expect: 'text', bounds: EXPORT_BOUNDS }),
      ),
    getUser: (id) => call({ method: 'GET', path: `/api/v2/admin/users/${seg(id)}`, expect: wire.userSchema }),
    // The bundled server's list shows every field, so the console never needs this there; it is one GET per user, as the contract reads.
    getUsers: async (ids) => {
      checkGetUsers(ids);
      const out: UsersRead = { users: [], failed: [] };
      for (const id of ids) {
        try {
          out.users.push(await call({ method: 'GET', path: `/api/v2/admin/users/${seg(id)}`, expect: wire.userSchema }));
        } catch (e) {
          if (!(e instanceof ConsoleFailure) || e.error.code !== 'NOT_FOUND') throw e;
          out.failed.push({ id, code: e.error.serverCode ?? e.error.code, message: e.error.message });
        }
      }
      return out;
    },
    createUser: ({ username, password, email, is_active, is_staff, is_superuser }) =>
      call({
        method: 'POST',
        path: '/api/v2/admin/users',
        body: { username, password, email, is_active, is_staff, is_superuser },
        expect: wire.createdUserSchema,
      }),
    // A refusal (LAST_SUPERUSER included) names its fields itself.
    updateUser: (id, { username, email, is_active, is_staff, is_superuser }) =>
      call({ method: 'PATCH', path: `/api/v2/admin/users/${seg(id)}`, body: { username, email, is_active, is_staff, is_superuser }, expect: wire.userSchema }),
    deleteUser: async (id) => {
      await call({ method: 'DELETE', path: `/api/v2/admin/users/${seg(id)}`, expect: 'empty' });
    },
    setUserPassword: (id, password) => call({ method: 'POST', path: `/api/v2/admin/users/${seg(id)}/password`, body: { password }, expect: wire.userSchema }),

    listKeys: (user) => call({ method: 'GET', path: keysPath(user), expect: wire.resultsOf(wire.personalKeySchema) }),
    createKey: (user, input) =>
      call({
        method: 'POST',
        path: keysPath(user),
        body: { name: input.name, ...(input.expires_at !== undefined ? { expires_at: input.expires_at } : {}) },
        expect: wire.newKeySchema,
      }),
    revokeKey: (user, keyId) => call({ method: 'DELETE', path: `${keysPath(user)}/${seg(keyId)}`, expect: wire.personalKeySchema }),
    mintJwt: () => call({ method: 'POST', path: '/api/v2/me/token', body: {}, expect: wire.mintedSchema }),

    getSettings: () => call({ method: 'GET', path: '/api/v2/admin/settings', expect: wire.resultsOf(wire.settingSchema) }),
    setSettings: (changes) => call({ method: 'PUT', path: '/api/v2/admin/settings', body: changes, expect: wire.resultsOf(wire.settingSchema) }),

    listInvitations: (status) => call({ method: 'GET', path: '/api/v2/admin/invitations', query: { status }, expect: wire.resultsOf(wire.invitationSchema) }),
    createInvitation: ({ expires_in_hours, grant_staff, note }) =>
      call({ method: 'POST', path: '/api/v2/admin/invitations', body: { expires_in_hours, grant_staff, note }, expect: wire.createdInvitationSchema }),
    revokeInvitation: (id) => call({ method: 'DELETE', path: `/api/v2/admin/invitations/${seg(id)}`, expect: wire.invitationSchema }),

    listAudit: (q) =>
      call({
        method: 'GET',
        path: '/api/v2/admin/audit',
        query: { page: q.page, page_size: q.page_size, action: q.action, actor: q.actor, target_user_id: q.target_user_id },
        expect: wire.pageOf(wire.auditEntrySchema),
      }),
    exportAudit: async (q) =>
      exported(
        'audit',
        'csv',
        await call({
          method: 'GET',
          path: '/api/v2/admin/audit/export',
          query: { action: q.action, actor: q.actor, target_user_id: q.target_user_id },
          expect: 'text',
          bounds: EXPORT_BOUNDS,
        }),
      ),

    ...orgCalls(call),
    ...ssoCalls(call),
    // One call: the server checks and writes the whole file in one transaction (unless continue_on_error); it cannot be stopped midway.
    importUsers: (input) =>
      newerServerCall('the user import', () =>
        call({ method: 'POST', path: '/api/v2/admin/users/import', body: input, expect: wire.importReportSchema, bounds: IMPORT_BOUNDS }),
      ),
  };
}

/** 10,000 rows, each with its link: a few MiB of answer, and a minute at worst on a busy PostgreSQL. */
const IMPORT_BOUNDS = { timeoutMs: 120_000, maxAnswerBytes: 16 * 1024 * 1024 };
