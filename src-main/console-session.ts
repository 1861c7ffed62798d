import type { Backend, BackendAuth, BundledServer, ProfilesStore } from './contracts.ts';
import type { Profile } from '../src-shared/console-api.ts';
import type { User } from '../src-shared/domain.ts';
import { ConsoleFailure } from '../src-shared/console-errors.ts';

type StoredProfile = Omit<Profile, 'has_credential'>;

/**
 * The console's one live connection: which profile, with what credentials,
 * as which user. Credentials stay in the main process; the renderer only
 * ever sees the ConnectionStatus built from this.
 */
export function createConsoleSession(deps: { profiles: ProfilesStore; bundled: BundledServer; backendFor: (baseUrl: string) => Backend }) {
  let active: { profile: StoredProfile; auth: BackendAuth; user: User } | null = null;

  /** The base URL of a profile right now (the bundled server's port changes with each start). */
  function urlOf(profile: StoredProfile): string {
    if (profile.kind === 'remote') return profile.url!;
    const status = deps.bundled.status();
    if (status.state !== 'running' || !status.url) {
      throw new ConsoleFailure({ code: 'SERVER_NOT_RUNNING', message: 'The bundled server is not running: start it first.' });
    }
    return status.url;
  }

  return {
    urlOf,
    anonymous(profile: StoredProfile): Backend {
      return deps.backendFor(urlOf(profile));
    },
    set(profile: StoredProfile, auth: BackendAuth, user: User) {
      active = { profile, auth, user };
    },
    clear() {
      active = null;
    },
    get active() {
      return active;
    },
    /** The authenticated backend of the active connection, or NOT_CONNECTED. */
    backend(): Backend {
      if (!active) throw new ConsoleFailure({ code: 'NOT_CONNECTED', message: 'Not connected: choose a connection and sign in.' });
      return deps.backendFor(urlOf(active.profile)).withAuth(active.auth);
    },
    async profile(profileId: string): Promise<StoredProfile> {
      const p = await deps.profiles.get(profileId);
      if (!p) throw new ConsoleFailure({ code: 'NOT_FOUND', message: `No connection profile "${profileId}".` });
      return p;
    },
  };
}
export type ConsoleSession = ReturnType<typeof createConsoleSession>;
