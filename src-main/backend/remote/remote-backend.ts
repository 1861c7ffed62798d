import type { Agent as HttpsAgent } from 'node:https';
import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import type { Backend, BackendAuth } from '../../contracts.ts';
import type { UserQuery } from '../../../src-shared/domain.ts';
import { GRAPHISTRY_ORG_WRITES, GRAPHISTRY_UNSUPPORTED, graphistryCapabilities } from '../capabilities.ts';
import { findForm } from './admin-forms.ts';
import { createAdminHttp, type AdminHttp } from './admin-http.ts';
import { createAdminSession } from './admin-session.ts';
import { getSettings, setSettings } from './constance.ts';
import { sortableFields } from './list-params.ts';
import { createRemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { createTokenApi } from './token-api.ts';
import { getOrganization, listOrganizations, listOrgMembers, listUserMemberships } from './organizations.ts';
import { describeModel } from './user-model.ts';
import { findByUsername, getUsers, listUserIds, listUsers } from './users-list.ts';
import { createUser, deleteUser, setPassword, setUsersActive, updateUser } from './user-writes.ts';
import { checkBulkCall, checkGetUsers, checkIdsLimit } from '../bulk-limits.ts';
import { importIntoGraphistry } from '../../bulk/graphistry-import.ts';

export interface RemoteBackendOptions {
  baseUrl: string;
  /** Where the admin site lives (Graphistry's DJANGO_ADMIN_URL); default /admin/. */
  adminPath?: string;
  timeoutMs?: number;
  httpsAgent?: () => Promise<HttpsAgent | undefined>;
}

/** A Backend, plus the number of HTTP requests it has sent (what the bench and the tests count). */
export type RemoteBackend = Backend & { requestCount(): number };

const DEFAULT_TIMEOUT_MS = 20_000;

/** `/portal/admin` -> `portal/admin/`: a path under the base address. */
export function adminPathOf(path: string | undefined): string {
  const trimmed = (path ?? '/admin/').replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

const unsupported = (feature: keyof typeof GRAPHISTRY_UNSUPPORTED) => async (): Promise<never> => {
  throw remoteErrors.unsupported(GRAPHISTRY_UNSUPPORTED[feature]);
};

/** Dormancy filters are refused before any request: the admin site cannot filter by sign-in or join dates. */
function refuseDormancy(q: Omit<UserQuery, 'page' | 'page_size'>): void {
  if (q.never_signed_in !== undefined || q.inactive_days !== undefined || q.joined_before !== undefined) {
    throw remoteErrors.unsupported(GRAPHISTRY_UNSUPPORTED.dormancy_filters);
  }
}

/**
 * A remote Graphistry, managed through its Django admin site the way an
 * admin works it in a browser (see the modules of this folder). Sign-in
 * takes the admin's password; `withAuth` opens one admin-site session, which
 * signs in again by itself when it expires.
 *
 * @example
 * const graphistry = createRemoteGraphistryBackend({ baseUrl: 'https://hub.example.com' });
 * const admin = graphistry.withAuth({ type: 'admin_password', username: 'admin', password: async () => keychainPassword });
 * const page = await admin.listUsers({ search: 'ali', page_size: 50 });
 */
export function createRemoteGraphistryBackend(opts: RemoteBackendOptions): RemoteBackend {
  const http = () =>
    createAdminHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(opts.httpsAgent ? { httpsAgent: opts.httpsAgent } : {}) });
  return backendOn(opts, http(), null, http);
}

function backendOn(
  opts: RemoteBackendOptions,
  h: AdminHttp,
  auth: Extract<BackendAuth, { type: 'admin_password' }> | null,
  fresh: () => AdminHttp,
): RemoteBackend {
  const adminPath = adminPathOf(opts.adminPath);
  const session = auth
    ? createAdminSession({ http: h, adminPath, username: auth.username, password: auth.password, ...(auth.otp ? { otp: auth.otp } : {}) })
    : null;
  const tokens = createTokenApi(h, adminPath);
  const ctx = session ? createRemoteContext(session) : null;
  const signedIn = () => {
    if (!session || !ctx) throw new ConsoleFailure({ code: 'NOT_CONNECTED', message: 'Not signed in to this Graphistry: sign in first.' });
    return { session, ctx };
  };
  const run = <T>(op: (c: NonNullable<typeof ctx>) => Promise<T>): Promise<T> => {
    const s = signedIn();
    return s.session.run(() => op(s.ctx));
  };
  /** A read of organizations, where the admin site lists them. */
  const orgs = <T>(op: (c: NonNullable<typeof ctx>) => Promise<T>): Promise<T> =>
    run(async (c) => {
      if (!(await c.site()).organizations) throw remoteErrors.unsupported(GRAPHISTRY_UNSUPPORTED.organizations);
      return op(c);
    });
  /** Every change to organizations: refused before anything is posted (read-only, see capabilities.ts). */
  const orgWrite = async (): Promise<never> =>
    run(async (c) => {
      throw remoteErrors.unsupported((await c.site()).organizations ? GRAPHISTRY_ORG_WRITES : GRAPHISTRY_UNSUPPORTED.organizations);
    });

  const backend: RemoteBackend = {
    kind: 'remote-graphistry',
    baseUrl: h.baseUrl,
    requestCount: () => h.stats.requests,
    withAuth(next) {
      if (next.type !== 'admin_password') throw remoteErrors.unsupported("A Graphistry's admin site is signed in to with the admin's password.");
      return backendOn(opts, fresh(), next, fresh);
    },
    capabilities: () =>
      run(async (c) => {
        if (!c.layout) await c.changeList(new URLSearchParams());
        const site = await c.site();
        return graphistryCapabilities(sortableFields(c.layout), describeModel(await c.model(), h.host), site.organizations ? 'read-only' : 'absent');
      }),
    endSession: async () => session?.signOut(),

    health: async () => {
      const login = h.url(`${adminPath}login/`);
      const page = await h.get(login, { follow: false });
      if (page.status === 404) throw remoteErrors.wrongAdminPath(h.host, login.pathname.replace(/login\/$/, ''));
      if (page.status === 200 && findForm(page.html, page.url.toString(), ['username', 'password'])) return;
      if (page.status >= 300 && page.status < 400) return;
      throw page.status >= 500
        ? failureForPage(page, h.host, 'show its sign-in page')
        : remoteErrors.notGraphistry(h.host, `no admin sign-in form at ${login.pathname}`);
    },
    registrationState: unsupported('signup'),
    signUp: unsupported('signup'),
    login: async (username, password) => {
      const answer = await tokens.request(username, password);
      if (answer.kind === 'token') return { token: answer.token };
      throw answer.kind === 'refused'
        ? remoteErrors.wrongPassword()
        : remoteErrors.unsupported(`${h.host} has no token API (nothing answered at ${answer.tried.join(', ')}).`);
    },

    me: () =>
      run(async (c) => {
        const me = await findByUsername(c, c.session.username);
        if (!me) throw remoteErrors.noUserModel(h.host);
        return me;
      }),
    listUsers: async (q) => {
      refuseDormancy(q);
      return run((c) => listUsers(c, q));
    },
    listUserIds: async (q, limit) => {
      checkIdsLimit(limit);
      refuseDormancy(q);
      return run((c) => listUserIds(c, q, limit));
    },
    userLifecycle: unsupported('lifecycle'),
    exportUsers: unsupported('user_export'),
    setUsersActive: async (ids, active) => {
      checkBulkCall(ids);
      // Not signed in is the whole call's failure, not each user's.
      signedIn();
      // One session step per user, so a sign-in again repeats only the user it interrupted.
      return setUsersActive(run, ids, active);
    },
    getUser: (id) => run((c) => c.getUser(id)),
    getUsers: async (ids) => {
      checkGetUsers(ids);
      return run((c) => getUsers(c, ids));
    },
    createUser: (input) => {
      // Kept across a sign-in again between Django's two steps, so the retry finishes the user instead of adding it twice.
      const made = { id: null };
      return run(async (c) => ({ user: await createUser(c, input, made), key: null }));
    },
    updateUser: (id, patch) => run((c) => updateUser(c, id, patch)),
    deleteUser: (id) => run((c) => deleteUser(c, id)),
    setUserPassword: (id, password) => run((c) => setPassword(c, id, password)),

    listKeys: (user) => unsupported(user === 'me' ? 'own_keys' : 'user_keys')(),
    createKey: (user) => unsupported(user === 'me' ? 'own_keys' : 'user_keys')(),
    revokeKey: (user) => unsupported(user === 'me' ? 'own_keys' : 'user_keys')(),
    mintJwt: async () => {
      const { session: s } = signedIn();
      const password = await s.password();
      if (password === null) throw remoteErrors.sessionEnded();
      return tokens.mint(s.username, password);
    },

    getSettings: () => run((c) => getSettings(c)),
    setSettings: (changes) => run((c) => setSettings(c, changes)),
    listInvitations: unsupported('invitations'),
    createInvitation: unsupported('invitations'),
    revokeInvitation: unsupported('invitations'),
    listAudit: unsupported('audit'),
    exportAudit: unsupported('audit'),

    listOrganizations: (q) => orgs((c) => listOrganizations(c, q)),
    getOrganization: (org) => orgs((c) => getOrganization(c, org)),
    listOrgMembers: (org, q) => orgs((c) => listOrgMembers(c, org, q)),
    listUserMemberships: (userId) => orgs((c) => listUserMemberships(c, userId)),
    createOrganization: orgWrite,
    updateOrganization: orgWrite,
    deleteOrganization: orgWrite,
    addOrgMember: orgWrite,
    setOrgMemberRole: orgWrite,
    removeOrgMember: orgWrite,
    createOrgUser: orgWrite,
    // Invitation links are Graphistry's own (its organization page mails them): none of them is on its admin site.
    listOrgInvitations: orgWrite,
    createOrgInvitation: orgWrite,
    revokeOrgInvitation: orgWrite,
    listSsoProviders: unsupported('sso'),
    addSsoProvider: unsupported('sso'),
    updateSsoProvider: unsupported('sso'),
    removeSsoProvider: unsupported('sso'),
    testSsoProvider: unsupported('sso'),
    // No import of its own: one row at a time through the same forms as a single change.
    importUsers: (input, hooks) => importIntoGraphistry(backend, input, hooks),
  };
  return backend;
}
