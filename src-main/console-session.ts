import { randomBytes } from 'node:crypto';
import type { Backend, BackendAuth, BundledServer, ProfilesStore } from './contracts.ts';
import type { Profile } from '../src-shared/console-api.ts';
import type { User } from '../src-shared/domain.ts';
import { ConsoleFailure } from '../src-shared/console-errors.ts';
import type { BackendFactory, ServerKind, ServerTarget } from './backend/backend-factory.ts';

type StoredProfile = Omit<Profile, 'has_credential'>;

interface Active {
  /** This sign-in's id (`<profile id>.<16 hex>`): what a call names as the connection it was prepared for. */
  id: string;
  profile: StoredProfile;
  kind: ServerKind;
  auth: BackendAuth;
  user: User;
  url: string;
  /** The signed-in backend, kept for the connection's life: for a Graphistry it holds the admin-site session. */
  backend: Backend;
}

/**
 * The console's one live connection: which profile, which kind of server,
 * with what credentials, as which user. Credentials stay in the main
 * process; the renderer only ever sees the ConnectionStatus built from this.
 */
export function createConsoleSession(deps: { profiles: ProfilesStore; bundled: BundledServer; backends: BackendFactory }) {
  let active: Active | null = null;
  // What each address turned out to be; asked again when a profile's address or admin path changes.
  const kinds = new Map<string, ServerKind>();
  // One anonymous backend per address (health checks reuse it: for a pinned certificate, its one probe handshake).
  const anonymous = new Map<string, Backend>();
  const kindKey = (t: ServerTarget) => `${t.url} ${t.admin_path ?? ''} ${t.ca_file ?? ''} ${t.pinned_certificate ?? ''}`;
  /**
   * Sign-ins the admin switched away from, by profile: kept in memory for
   * this console's life (never written anywhere), so switching back needs no
   * password even where no keychain keeps a credential. Signing out, deleting
   * or repointing the profile ends one; so does its server ending it.
   */
  const parked = new Map<string, Omit<Active, 'id'>>();
  const end = (a: { backend: Backend }) => void a.backend.endSession().catch(() => undefined);

  /** The base URL of a profile right now (the bundled server's port changes with each start). */
  function urlOf(profile: StoredProfile): string {
    if (profile.kind === 'remote') return profile.url!;
    const status = deps.bundled.status();
    if (status.state !== 'running' || !status.url) {
      throw new ConsoleFailure({ code: 'SERVER_NOT_RUNNING', message: 'The bundled server is not running: start it first.' });
    }
    return status.url;
  }

  function targetOf(profile: StoredProfile): ServerTarget {
    return { url: urlOf(profile), admin_path: profile.admin_path, ca_file: profile.ca_file, pinned_certificate: profile.pinned_certificate };
  }

  async function kindOf(profile: StoredProfile): Promise<ServerKind> {
    if (profile.kind === 'bundled') return 'embedded';
    const target = targetOf(profile);
    const known = kinds.get(kindKey(target));
    if (known) return known;
    const kind = await deps.backends.detect(target);
    kinds.set(kindKey(target), kind);
    return kind;
  }

  return {
    urlOf,
    kindOf,
    /** An anonymous backend for the profile, of the kind its address turned out to be. */
    async anonymous(profile: StoredProfile): Promise<Backend> {
      const target = targetOf(profile);
      const kind = await kindOf(profile);
      const key = `${kind} ${kindKey(target)}`;
      let backend = anonymous.get(key);
      if (!backend) anonymous.set(key, (backend = deps.backends.backendFor(target, kind)));
      return backend;
    },
    set(profile: StoredProfile, kind: ServerKind, auth: BackendAuth, backend: Backend, user: User) {
      if (active && active.backend !== backend) {
        if (active.profile.id !== profile.id) parked.set(active.profile.id, active);
        else end(active);
      }
      const earlier = parked.get(profile.id);
      if (earlier && earlier.backend !== backend) end(earlier);
      parked.delete(profile.id);
      // Random, not a counter: a page left open across a console restart must not match a new sign-in.
      active = { id: `${profile.id}.${randomBytes(8).toString('hex')}`, profile, kind, auth, user, url: urlOf(profile), backend };
    },
    clear() {
      if (active) end(active);
      active = null;
    },
    /** The sign-in kept for a profile the admin switched away from (taken out: resume it with set(), or it is gone). */
    takeParked(profileId: string): Omit<Active, 'id'> | null {
      const p = parked.get(profileId) ?? null;
      parked.delete(profileId);
      return p;
    },
    /** End a kept sign-in (signed out, profile deleted or repointed). */
    dropParked(profileId: string) {
      const p = parked.get(profileId);
      if (p) end(p);
      parked.delete(profileId);
    },
    /** Forget what an address was found to be (its profile changed). */
    forget(profile: StoredProfile) {
      if (!profile.url) return;
      for (const key of [...kinds.keys()]) if (key.startsWith(`${profile.url} `)) kinds.delete(key);
      for (const key of [...anonymous.keys()]) if (key.split(' ')[1] === profile.url) anonymous.delete(key);
    },
    get active() {
      return active;
    },
    /**
     * The authenticated backend of the connection a call was prepared for,
     * or STALE_CONNECTION (nothing is sent to any server) when the console is
     * no longer on that connection: switched elsewhere, signed in again, or
     * signed out. A call already running keeps the backend it started with.
     */
    async backendFor(connection: string): Promise<Backend> {
      if (active?.id === connection) return this.backend();
      const profileId = connection.slice(0, connection.lastIndexOf('.'));
      const then = (await deps.profiles.get(profileId).catch(() => null))?.name;
      const was = then ? `“${then}”` : 'a connection that no longer exists';
      const now = !active
        ? 'the console is not connected now'
        : active.profile.id === profileId
          ? `the console has signed in to ${was} again since`
          : `the console is now connected to “${active.profile.name}”`;
      throw new ConsoleFailure({
        code: 'STALE_CONNECTION',
        message: `This was prepared for ${active?.profile.id === profileId ? 'an earlier sign-in to ' : ''}${was}, but ${now}. Nothing was changed.`,
      });
    },
    /** The authenticated backend of the active connection, or NOT_CONNECTED (for the console's own status). */
    backend(): Backend {
      if (!active) throw new ConsoleFailure({ code: 'NOT_CONNECTED', message: 'Not connected: choose a connection and sign in.' });
      const url = urlOf(active.profile);
      // The bundled server came back on another port: same credentials, new address.
      if (url !== active.url) active = { ...active, url, backend: deps.backends.backendFor(targetOf(active.profile), active.kind).withAuth(active.auth) };
      return active.backend;
    },
    async profile(profileId: string): Promise<StoredProfile> {
      const p = await deps.profiles.get(profileId);
      if (!p) throw new ConsoleFailure({ code: 'NOT_FOUND', message: `No connection profile "${profileId}".` });
      return p;
    },
  };
}
export type ConsoleSession = ReturnType<typeof createConsoleSession>;
