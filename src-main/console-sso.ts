import type { Backend, ConsoleHandlers } from './contracts.ts';
import type { ConsoleSession } from './console-session.ts';

type SsoMethods = 'listSsoProviders' | 'addSsoProvider' | 'updateSsoProvider' | 'removeSsoProvider' | 'testSsoProvider';

/**
 * What the redirect URI to register at the IdP starts with: the server's
 * public URL when one is set (what the server builds its authorization URL
 * on), else the address the console uses. Each IdP's path is the server's.
 */
async function redirectBase(backend: Backend): Promise<string> {
  const publicUrl = (await backend.getSettings()).find((s) => s.key === 'PUBLIC_URL')?.value;
  return typeof publicUrl === 'string' && publicUrl ? publicUrl : backend.baseUrl;
}

/**
 * Single sign-on IdPs, site-wide (no `org`) or an organization's: each a
 * call to the backend of the connection it was prepared for
 * (STALE_CONNECTION, and nothing sent, when the console has moved on).
 */
export function ssoHandlers(session: ConsoleSession): Pick<ConsoleHandlers, SsoMethods> {
  const on = (connection: string) => session.backendFor(connection);
  return {
    listSsoProviders: async ({ connection, org }) => {
      const backend = await on(connection);
      // The list first: a server without single sign-on says so before its settings are read.
      const results = await backend.listSsoProviders(org ?? null);
      return { results, base_url: await redirectBase(backend) };
    },
    addSsoProvider: async ({ connection, org, provider }) => (await on(connection)).addSsoProvider(org ?? null, provider),
    updateSsoProvider: async ({ connection, org, name, patch }) => (await on(connection)).updateSsoProvider(org ?? null, name, patch),
    removeSsoProvider: async ({ connection, org, name }) => {
      await (await on(connection)).removeSsoProvider(org ?? null, name);
      return null;
    },
    testSsoProvider: async ({ connection, org, name }) => (await on(connection)).testSsoProvider(org ?? null, name),
  };
}
