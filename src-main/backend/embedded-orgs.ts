import type { Backend } from '../contracts.ts';
import { newerServerCall, type RequestSpec } from './http-client.ts';
import * as wire from './wire-schemas.ts';

type Call = <T>(spec: Omit<RequestSpec<T>, 'authorization' | 'secrets'>) => Promise<T>;
type OrgCalls = Pick<
  Backend,
  | 'listOrganizations'
  | 'getOrganization'
  | 'createOrganization'
  | 'updateOrganization'
  | 'deleteOrganization'
  | 'listOrgMembers'
  | 'addOrgMember'
  | 'setOrgMemberRole'
  | 'removeOrgMember'
  | 'createOrgUser'
  | 'listUserMemberships'
  | 'listOrgInvitations'
  | 'createOrgInvitation'
  | 'revokeOrgInvitation'
>;

const seg = (v: string | number) => encodeURIComponent(String(v));
const orgPath = (org: string, rest = '') => `/api/v2/admin/organizations/${seg(org)}${rest}`;

/**
 * The server's admin API for organizations (/api/v2/admin/organizations,
 * superusers only); a server older than organizations says so (newerServerCall).
 */
export function orgCalls(call: Call): OrgCalls {
  const send = <T>(spec: Omit<RequestSpec<T>, 'authorization' | 'secrets'>, feature = 'organizations'): Promise<T> =>
    newerServerCall(feature, () => call(spec));
  const invitations = 'organization invitations';
  return {
    listOrganizations: (q) =>
      send({
        method: 'GET',
        path: '/api/v2/admin/organizations',
        query: { search: q.search, ordering: q.ordering, page: q.page, page_size: q.page_size },
        expect: wire.pageOf(wire.organizationSchema),
      }),
    getOrganization: (org) => send({ method: 'GET', path: orgPath(org), expect: wire.organizationSchema }),
    // Bodies rebuilt from the fields the server knows: its schemas are strict.
    createOrganization: ({ slug, name, join_policy, admin_user_id }) =>
      send({ method: 'POST', path: '/api/v2/admin/organizations', body: { slug, name, join_policy, admin_user_id }, expect: wire.organizationSchema }),
    updateOrganization: (org, { name, join_policy }) =>
      send({ method: 'PATCH', path: orgPath(org), body: { name, join_policy }, expect: wire.organizationSchema }),
    deleteOrganization: async (org) => {
      await send({ method: 'DELETE', path: orgPath(org), expect: 'empty' });
    },
    listOrgMembers: (org, q) =>
      send({
        method: 'GET',
        path: orgPath(org, '/members'),
        query: { search: q.search, page: q.page, page_size: q.page_size },
        expect: wire.pageOf(wire.orgMemberSchema),
      }),
    addOrgMember: (org, userId, role) =>
      send({ method: 'POST', path: orgPath(org, '/members'), body: { user_id: userId, role }, expect: wire.orgMemberSchema }),
    // A refusal (LAST_ORG_ADMIN) names its field itself.
    setOrgMemberRole: (org, userId, role) =>
      send({ method: 'PATCH', path: orgPath(org, `/members/${seg(userId)}`), body: { role }, expect: wire.orgMemberSchema }),
    removeOrgMember: async (org, userId) => {
      await send({ method: 'DELETE', path: orgPath(org, `/members/${seg(userId)}`), expect: 'empty' });
    },
    createOrgUser: (org, { username, password, email, is_active, is_staff, is_superuser }, role) =>
      send({
        method: 'POST',
        path: orgPath(org, '/users'),
        body: { username, password, email, is_active, is_staff, is_superuser, role },
        expect: wire.createdOrgUserSchema,
      }),
    listUserMemberships: (userId) =>
      send({ method: 'GET', path: `/api/v2/admin/users/${seg(userId)}/organizations`, expect: wire.resultsOf(wire.membershipSchema) }),
    // An unknown invitation is the server's INVITATION_NOT_FOUND, an unknown organization its ORG_NOT_FOUND: only a server without these routes says NOT_FOUND.
    listOrgInvitations: (org, status) =>
      send({ method: 'GET', path: orgPath(org, '/invitations'), query: { status }, expect: wire.resultsOf(wire.orgInvitationSchema) }, invitations),
    createOrgInvitation: (org, { role, expires_in_hours, note }) =>
      send(
        { method: 'POST', path: orgPath(org, '/invitations'), body: { role, expires_in_hours, note }, expect: wire.createdOrgInvitationSchema },
        invitations,
      ),
    revokeOrgInvitation: (org, id) => send({ method: 'DELETE', path: orgPath(org, `/invitations/${seg(id)}`), expect: wire.orgInvitationSchema }, invitations),
  };
}
