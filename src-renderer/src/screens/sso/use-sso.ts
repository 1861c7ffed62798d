import { useCallback } from 'react';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useLatest } from '../../lib/use-latest.ts';

/** The site's IdPs (`org` null) or an organization's, with the address their redirect URIs start with. */
export function useSsoProviders(org: string | null) {
  const connection = useConnection();
  const load = useCallback(() => call('listSsoProviders', { connection, ...(org === null ? {} : { org }) }), [connection, org]);
  return useLatest(load);
}
