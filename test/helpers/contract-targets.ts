// The servers the backend contract suite runs against: the bundled server
// (EmbeddedBackend over real HTTP) and the Django reference peer
// (RemoteGraphistryBackend working its admin site). What each offers is not
// declared here but in src-main/backend/capabilities.ts, which the screens read
// too: the suite expects exactly that.
import type { AddressInfo } from 'node:net';
import { EMBEDDED_CAPABILITIES, graphistryCapabilities } from '../../src-main/backend/capabilities.ts';
import { createEmbeddedBackend } from '../../src-main/backend/embedded-backend.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { Backend } from '../../src-main/contracts.ts';
import type { BackendCapabilities } from '../../src-shared/domain.ts';
import { makeTestApp, STRONG_PASSWORD } from './app.ts';
import { PEER_ADMIN, startDjangoPeer } from './django-peer.ts';
import { djangoRuntimes } from './django-versions.ts';

export interface ContractHarness {
  anon: Backend;
  admin: Backend;
  adminName: string;
  /** What this server must declare, from the one place capabilities are declared. */
  expected: BackendCapabilities;
  close(): Promise<void>;
}

export interface ContractTarget {
  name: string;
  /** Why it cannot run here, or null. */
  missing(): Promise<string | null>;
  start(): Promise<ContractHarness>;
}

export const embeddedTarget: ContractTarget = {
  name: 'bundled server (EmbeddedBackend)',
  missing: async () => null,
  async start() {
    const t = await makeTestApp('sqlite');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const anon = createEmbeddedBackend({ baseUrl: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` });
    const first = await anon.signUp({ username: 'admin', password: STRONG_PASSWORD, email: 'admin@example.com' });
    return {
      anon,
      admin: anon.withAuth({ type: 'personal_key', id: first.key.id, secret: first.key.secret }),
      adminName: 'admin',
      expected: EMBEDDED_CAPABILITIES,
      close: () => t.close(),
    };
  },
};

/** The peer's user admin in its Graphistry-like configuration lists every column, so every column sorts. */
const PEER_LISTED = ['username', 'email', 'is_staff', 'is_superuser', 'is_active', 'date_joined', 'last_login'];

/**
 * The peer on every Django version the suites run (3.2, 4.2, 5.2): one target
 * each, named by the exact version the peer's Python imports. A version that
 * cannot run here is a target whose `missing` says why (under CI=true
 * djangoRuntimes throws instead).
 */
export async function graphistryTargets(): Promise<ContractTarget[]> {
  return (await djangoRuntimes()).map((runtime) => ({
    name: `Django reference peer on Django ${runtime.ok ? runtime.full : runtime.version} (RemoteGraphistryBackend)`,
    missing: async () => (runtime.ok ? null : runtime.why),
    async start() {
      const peer = await startDjangoPeer({ django: runtime.version });
      process.stdout.write(`backend contract: the Django peer runs Django ${peer.django} at ${peer.url}\n`);
      const anon = createRemoteGraphistryBackend({ baseUrl: peer.url });
      return {
        anon,
        admin: anon.withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password }),
        adminName: PEER_ADMIN.username,
        // The reference peer has no organization model: organizations are absent (the `orgs` variant has them; graphistry-orgs.test.ts).
        expected: graphistryCapabilities(PEER_LISTED, undefined, 'absent'),
        close: () => peer.stop(),
      };
    },
  }));
}
