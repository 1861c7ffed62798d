import type { Backend } from '../contracts.ts';
import { createEmbeddedBackend } from './embedded-backend.ts';
import { detectServer, type ServerKind } from './remote/detect.ts';
import { createRemoteGraphistryBackend } from './remote/remote-backend.ts';
import { httpsAgentFor } from './tls-trust.ts';

export type { ServerKind } from './remote/detect.ts';

/** Where a profile points: the address, a Graphistry's admin path, and this server's own TLS trust. */
export interface ServerTarget {
  url: string;
  admin_path?: string | undefined;
  ca_file?: string | undefined;
  pinned_certificate?: string | undefined;
}

export interface BackendFactory {
  /** An anonymous backend of the given kind for the target. */
  backendFor(target: ServerTarget, kind: ServerKind): Backend;
  /** Which kind of server the target is (asked over the network; the console remembers the answer per address). */
  detect(target: ServerTarget): Promise<ServerKind>;
}

export function createBackendFactory(opts: { timeoutMs?: number } = {}): BackendFactory {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const trustOf = (t: ServerTarget) => {
    const agent = httpsAgentFor(t.url, {
      ...(t.ca_file ? { caFile: t.ca_file } : {}),
      ...(t.pinned_certificate ? { pinnedCertificate: t.pinned_certificate } : {}),
    });
    return agent ? { httpsAgent: agent } : {};
  };
  return {
    backendFor(t, kind) {
      if (kind === 'embedded') return createEmbeddedBackend({ baseUrl: t.url, timeoutMs, ...trustOf(t) });
      return createRemoteGraphistryBackend({
        baseUrl: t.url,
        timeoutMs: Math.max(timeoutMs, 20_000),
        ...(t.admin_path ? { adminPath: t.admin_path } : {}),
        ...trustOf(t),
      });
    },
    detect: (t) => detectServer({ baseUrl: t.url, timeoutMs, ...(t.admin_path ? { adminPath: t.admin_path } : {}), ...trustOf(t) }),
  };
}
