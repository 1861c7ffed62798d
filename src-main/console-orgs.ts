import type { ConsoleHandlers } from './contracts.ts';
import type { ConsoleSession } from './console-session.ts';
import type { OrgQuery } from '../src-shared/domain.ts';

type OrgMethods =
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
  | 'revokeOrgInvitation';

/**
 * Organizations: each a call to the backend of the connection it was
 * prepared for (STALE_CONNECTION, and nothing sent, when the console has
 * moved on). The schema admits only `field` / `-field` of
 * ORG_ORDERING_FIELDS as an ordering, which is exactly OrgQuery's.
 */
export function orgHandlers(session: ConsoleSession): Pick<ConsoleHandlers, OrgMethods> {
  const on = (connection: string) => session.backendFor(connection);
  return {
    listOrganizations: async ({ connection, ...q }) => (await on(connection)).listOrganizations(q as OrgQuery),
    getOrganization: async ({ connection, org }) => (await on(connection)).getOrganization(org),
    createOrganization: async ({ connection, ...input }) => (await on(connection)).createOrganization(input),
    updateOrganization: async ({ connection, org, patch }) => (await on(connection)).updateOrganization(org, patch),
    deleteOrganization: async ({ connection, org }) => {
      await (await on(connection)).deleteOrganization(org);
      return null;
    },
    listOrgMembers: async ({ connection, org, ...q }) => (await on(connection)).listOrgMembers(org, q),
    addOrgMember: async ({ connection, org, user_id, role }) => (await on(connection)).addOrgMember(org, user_id, role),
    setOrgMemberRole: async ({ connection, org, user_id, role }) => (await on(connection)).setOrgMemberRole(org, user_id, role),
    removeOrgMember: async ({ connection, org, user_id }) => {
      await (await on(connection)).removeOrgMember(org, user_id);
      return null;
    },
    createOrgUser: async ({ connection, org, user, role }) => (await on(connection)).createOrgUser(org, user, role),
    listUserMemberships: async ({ connection, id }) => (await on(connection)).listUserMemberships(id),
    listOrgInvitations: async ({ connection, org, status }) => (await on(connection)).listOrgInvitations(org, status ?? 'pending'),
    createOrgInvitation: async ({ connection, org, ...input }) => {
      const backend = await on(connection);
      const { invitation, path, url } = await backend.createOrgInvitation(org, input);
      return { invitation, url: url ?? new URL(path, backend.baseUrl).toString() };
    },
    revokeOrgInvitation: async ({ connection, org, id }) => (await on(connection)).revokeOrgInvitation(org, id),
  };
}
