import { hostname } from 'node:os';
import type { BundledServer, ConsoleHandlers, ProfilesStore, Vault } from './contracts.ts';
import type { ConnectionStatus, Profile } from '../src-shared/console-api.ts';
import { CLIPBOARD_CLEAR_MS } from '../src-shared/console-api.ts';
import { ConsoleFailure } from '../src-shared/console-errors.ts';
import type { ClipboardGuard } from './clipboard/clipboard-guard.ts';
import { createConsoleSession } from './console-session.ts';
import { adoptMachineKey, keychainPassword, requireSuperuser, signInToGraphistry } from './console-auth.ts';
import { userHandlers } from './console-users.ts';
import { orgHandlers } from './console-orgs.ts';
import { ssoHandlers } from './console-sso.ts';
import { importHandlers } from './console-import.ts';
import type { BundledBackupsService } from './server/bundled-backups.ts';
import type { BackendFactory } from './backend/backend-factory.ts';
import type { BackendCapabilities } from '../src-shared/domain.ts';
import { inspectCertificate } from './backend/tls-trust.ts';

export interface ConsoleServiceDeps {
  profiles: ProfilesStore;
  vault: Vault;
  bundled: BundledServer;
  /** Makes backends for a profile's address (and tells an embedded server from a Graphistry). */
  backends: BackendFactory;
  /** The OS clipboard behind its 45 s guard; null in web mode, where the page copies. */
  clipboard: ClipboardGuard | null;
  machine?: string;
  /** Where imports into a Graphistry keep their journals (the console's data folder); none: no journal. */
  importJournals?: string;
  /** "Back up now" for the bundled server; absent where the console has no data folder of its own. */
  backups?: BundledBackupsService;
}

/**
 * The console's handlers: every ConsoleApi method, implemented over the
 * profiles store, the keychain vault, the bundled server and a backend.
 * Plain Node: Electron's IPC and web mode's HTTP host both dispatch here.
 */
export function createConsoleService(deps: ConsoleServiceDeps): ConsoleHandlers {
  const { profiles, vault, bundled } = deps;
  const machine = deps.machine ?? hostname();
  const session = createConsoleSession({ profiles, bundled, backends: deps.backends });
  const backupsOrRefuse = () => {
    if (!deps.backups) throw new ConsoleFailure({ code: 'UNSUPPORTED', message: 'This console keeps no backups of the bundled server.' });
    return deps.backups;
  };
  // Asked once per connection: a Graphistry learns them from its admin site.
  let capabilities: { backend: unknown; value: BackendCapabilities } | null = null;

  async function withCredentialFlag(p: Omit<Profile, 'has_credential'>): Promise<Profile> {
    const stored = await vault.get(p.id).catch(() => null);
    return { ...p, has_credential: stored !== null, ...(stored ? { credential_kind: stored.kind } : {}) };
  }

  // Probing the keychain writes a test entry; once a minute is plenty.
  let keychainChecked: { at: number; value: Awaited<ReturnType<Vault['status']>> } | null = null;
  async function keychainStatus() {
    if (!keychainChecked || Date.now() - keychainChecked.at > 60_000) keychainChecked = { at: Date.now(), value: await vault.status() };
    return keychainChecked.value;
  }

  async function status(): Promise<ConnectionStatus> {
    const keychain = await keychainStatus();
    const a = session.active;
    let healthy = false;
    let url: string | null = null;
    let caps: BackendCapabilities | null = null;
    if (a) {
      try {
        url = session.urlOf(a.profile);
        const backend = session.backend();
        if (capabilities?.backend !== backend) capabilities = { backend, value: await backend.capabilities() };
        caps = capabilities.value;
        await (await session.anonymous(a.profile)).health();
        healthy = true;
      } catch {
        healthy = false;
      }
    }
    return {
      profile: a ? await withCredentialFlag(a.profile) : null,
      connected: a !== null,
      connection: a?.id ?? null,
      user: a?.user ?? null,
      server_url: url,
      backend: a?.kind ?? null,
      capabilities: caps,
      healthy,
      keychain,
    };
  }

  /** Remember who signed in on a profile (a name, never a secret). */
  async function rememberUser(profile: Omit<Profile, 'has_credential'>, username: string) {
    const { created_at: _c, last_used_at: _l, ...fields } = profile;
    await profiles.save({ ...fields, username });
    await profiles.touch(profile.id);
  }

  /**
   * Back to a sign-in the admin switched away from, if its server still
   * takes it (as a new connection: screens prepared before are refused).
   * False when there is none or it no longer works.
   */
  async function resumeParked(profile: Omit<Profile, 'has_credential'>): Promise<boolean> {
    const kept = session.takeParked(profile.id);
    if (!kept) return false;
    try {
      // The bundled server may have come back on another port: the same credentials at its new address.
      const backend = session.urlOf(profile) === kept.url ? kept.backend : (await session.anonymous(profile)).withAuth(kept.auth);
      const user = await backend.me();
      requireSuperuser(user);
      session.set(profile, kept.kind, kept.auth, backend, user);
      await profiles.touch(profile.id);
      return true;
    } catch {
      void kept.backend.endSession().catch(() => undefined);
      return false;
    }
  }

  /** Make sure the bundled server runs before a bundled profile is used. */
  async function reach(profileId: string) {
    const profile = await session.profile(profileId);
    if (profile.kind === 'bundled' && bundled.status().state !== 'running') await bundled.start();
    return profile;
  }

  return {
    listProfiles: async () => Promise.all((await profiles.list()).map(withCredentialFlag)),
    saveProfile: async (input) => {
      const before = input.id ? await profiles.get(input.id) : null;
      const saved = await profiles.save(input);
      if (before) {
        // A credential kept for one server is no good for another: forget it when the profile now points elsewhere.
        const moved = before.kind !== saved.kind || before.url !== saved.url;
        const reached = before.admin_path !== saved.admin_path || before.ca_file !== saved.ca_file || before.pinned_certificate !== saved.pinned_certificate;
        if (moved) await vault.delete(saved.id).catch(() => undefined);
        if (moved || reached) {
          session.forget(before);
          session.dropParked(saved.id);
          if (session.active?.profile.id === saved.id) session.clear();
        }
      }
      return withCredentialFlag(saved);
    },
    deleteProfile: async ({ profileId }) => {
      await session.profile(profileId);
      if ((await keychainStatus()).available) await vault.delete(profileId);
      if (session.active?.profile.id === profileId) session.clear();
      session.dropParked(profileId);
      await profiles.remove(profileId);
      return null;
    },

    connect: async ({ profileId }) => {
      const profile = await reach(profileId);
      if (await resumeParked(profile)) return status();
      // Without a keychain there is simply no saved sign-in: that is a password prompt, not the keychain's own error text.
      const stored = await vault.get(profileId).catch((e: unknown) => {
        if (e instanceof ConsoleFailure && e.error.code === 'NO_KEYCHAIN') return null;
        throw e;
      });
      if (!stored) {
        const why = (await keychainStatus()).available ? 'the console keeps no sign-in for it' : 'this computer has no OS keychain to keep one';
        throw new ConsoleFailure({ code: 'UNAUTHORIZED', message: `Sign in to "${profile.name}" with your password: ${why}.` });
      }
      const kind = await session.kindOf(profile);
      const auth =
        stored.kind === 'personal_key'
          ? { type: 'personal_key' as const, id: stored.id, secret: stored.secret }
          : { type: 'admin_password' as const, username: stored.username, password: keychainPassword(vault, profileId, stored.username) };
      const backend = (await session.anonymous(profile)).withAuth(auth);
      const user = await backend.me();
      requireSuperuser(user);
      session.set(profile, kind, auth, backend, user);
      await profiles.touch(profileId);
      return status();
    },
    disconnect: async () => {
      session.clear();
      return status();
    },
    connectionStatus: () => status(),

    signIn: async ({ profileId, username, password, otp }) => {
      const profile = await reach(profileId);
      const kind = await session.kindOf(profile);
      const anonymous = await session.anonymous(profile);
      if (kind === 'remote-graphistry') {
        const { auth, backend, user } = await signInToGraphistry({ backend: anonymous, vault, profileId, username, password, ...(otp ? { otp } : {}) });
        session.set(profile, kind, auth, backend, user);
      } else {
        const { token } = await anonymous.login(username, password, { requireSuperuser: true });
        const { auth, user } = await adoptMachineKey({ backend: anonymous, token, vault, profileId, username, machine });
        session.set(profile, kind, auth, anonymous.withAuth(auth), user);
      }
      await rememberUser(profile, username);
      return status();
    },
    signOut: async ({ profileId }) => {
      const stored = await vault.get(profileId).catch(() => null);
      const profile = await session.profile(profileId);
      let revoked = false;
      if (stored?.kind === 'personal_key') {
        // Best effort: the key dies on the server too when the server is reachable.
        revoked = await Promise.resolve()
          .then(async () =>
            (await session.anonymous(profile)).withAuth({ type: 'personal_key', id: stored.id, secret: stored.secret }).revokeKey('me', stored.id),
          )
          .then(() => true)
          .catch(() => false);
      }
      if (stored) await vault.delete(profileId);
      session.dropParked(profileId);
      const wasConnected = session.active?.profile.id === profileId;
      // Clearing the connection also ends a Graphistry's admin-site session.
      if (wasConnected) session.clear();
      return { removed_from_keychain: stored !== null, revoked_on_server: revoked, was_connected: wasConnected, credential: stored?.kind ?? null };
    },
    inspectCertificate: ({ url }) => inspectCertificate(url),

    startBundledServer: () => bundled.start(),
    stopBundledServer: async () => {
      if (session.active?.profile.kind === 'bundled') session.clear();
      return bundled.stop();
    },
    bundledServerStatus: async () => bundled.status(),
    bundledServerLog: async ({ lines }) => ({ lines: bundled.log(lines ?? 200) }),
    bundledServerBackups: async () => backupsOrRefuse().list(),
    backUpBundledServer: async () => backupsOrRefuse().backUp(),

    registrationState: async ({ profileId }) => (await session.anonymous(await reach(profileId))).registrationState(),
    signUpFirstAdmin: async ({ profileId, username, password, email, setup_token }) => {
      const profile = await reach(profileId);
      const backend = await session.anonymous(profile);
      const { token } = await backend.signUp({ username, password, email: email || null, ...(setup_token ? { setup_token } : {}) });
      const { auth, user } = await adoptMachineKey({ backend, token, vault, profileId, username, machine });
      session.set(profile, 'embedded', auth, backend.withAuth(auth), user);
      await rememberUser(profile, user.username);
      return status();
    },

    ...userHandlers(session),
    ...orgHandlers(session),
    ...ssoHandlers(session),
    ...importHandlers(session, deps.importJournals ?? null),
    setUserPassword: async ({ connection, id, password }) => {
      const user = await (await session.backendFor(connection)).setUserPassword(id, password);
      // A Graphistry admin who changes their own password: the keychain must hold the new one, or the next sign-in would fail.
      const a = session.active;
      if (a?.id === connection && a.kind === 'remote-graphistry' && a.user.id === id) {
        const stored = await vault.get(a.profile.id).catch(() => null);
        if (stored?.kind === 'password') await vault.set(a.profile.id, { kind: 'password', username: stored.username, password });
      }
      return user;
    },

    getSettings: async ({ connection }) => (await session.backendFor(connection)).getSettings(),
    setSettings: async ({ connection, changes }) => (await session.backendFor(connection)).setSettings(changes),
    listInvitations: async ({ connection, status: s }) => (await session.backendFor(connection)).listInvitations(s ?? 'pending'),
    createInvitation: async ({ connection, ...input }) => {
      const backend = await session.backendFor(connection);
      const { invitation, path, url } = await backend.createInvitation(input);
      return { invitation, url: url ?? new URL(path, backend.baseUrl).toString() };
    },
    revokeInvitation: async ({ connection, id }) => (await session.backendFor(connection)).revokeInvitation(id),
    listAudit: async ({ connection, ...q }) => (await session.backendFor(connection)).listAudit(q),
    exportAudit: async ({ connection, ...q }) => (await session.backendFor(connection)).exportAudit(q),

    copyToClipboard: async ({ text, sensitive }) => {
      if (!deps.clipboard) return { copied: false, delegated: true, clear_after_ms: CLIPBOARD_CLEAR_MS };
      deps.clipboard.copy(text, sensitive ?? true);
      return { copied: true, delegated: false, clear_after_ms: deps.clipboard.clearAfterMs };
    },
  };
}
