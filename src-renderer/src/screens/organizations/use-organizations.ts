import { useCallback } from 'react';
import type { OrgQuery } from '../../../../src-shared/domain.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useLatest } from '../../lib/use-latest.ts';

/** A page of organizations (latest load wins; see useLatest). */
export function useOrganizations(query: OrgQuery) {
  const connection = useConnection();
  const { search, ordering, page, page_size } = query;
  const load = useCallback(
    () =>
      call('listOrganizations', {
        connection,
        ...(search ? { search } : {}),
        ...(ordering ? { ordering } : {}),
        ...(page ? { page } : {}),
        ...(page_size ? { page_size } : {}),
      }),
    [connection, search, ordering, page, page_size],
  );
  return useLatest(load);
}

/** One organization. */
export function useOrganization(org: string) {
  const connection = useConnection();
  const load = useCallback(() => call('getOrganization', { connection, org }), [connection, org]);
  return useLatest(load);
}

/** Its members, every one on one page (an organization's members fit: up to 500). */
export function useOrgMembers(org: string, enabled: boolean) {
  const connection = useConnection();
  const load = useCallback(
    () =>
      enabled
        ? call('listOrgMembers', { connection, org, page_size: 500 })
        : Promise.resolve({ ok: true as const, value: { count: 0, page: 1, page_size: 500, results: [] } }),
    [connection, org, enabled],
  );
  return useLatest(load);
}

/** The organizations a user is in. */
export function useMemberships(userId: number, enabled: boolean) {
  const connection = useConnection();
  const load = useCallback(
    () => (enabled ? call('listUserMemberships', { connection, id: userId }) : Promise.resolve({ ok: true as const, value: [] })),
    [connection, userId, enabled],
  );
  return useLatest(load);
}

/** Its invitation links that can still be used (pending), newest first. */
export function useOrgInvitations(org: string, enabled: boolean) {
  const connection = useConnection();
  const load = useCallback(
    () => (enabled ? call('listOrgInvitations', { connection, org, status: 'pending' }) : Promise.resolve({ ok: true as const, value: [] })),
    [connection, org, enabled],
  );
  return useLatest(load);
}
