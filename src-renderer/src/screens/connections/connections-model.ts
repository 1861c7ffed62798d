import type { BundledServerStatus, ConnectionStatus, ConsoleResults, Profile, ServerState } from '../../../../src-shared/console-api.ts';

/**
 * What the Connections screen shows, derived from the app store without
 * React so it can be tested on its own.
 */
export interface ProfileRow {
  profile: Profile;
  kind: 'Bundled server' | 'Remote' | 'Graphistry';
  /** The remote URL, or how the bundled server is doing. */
  address: string;
  /** Who is signed in on the active profile, else who signed in last (a name the profile remembers). */
  user: string | null;
  active: boolean;
  /** Reconnecting the live, healthy connection would do nothing. */
  canConnect: boolean;
  /** Something to sign out of: a key in the keychain, or the live session. */
  canSignOut: boolean;
}

export function profileRows(profiles: readonly Profile[], status: ConnectionStatus | null, server: BundledServerStatus | null): ProfileRow[] {
  const activeId = status?.connected ? (status.profile?.id ?? null) : null;
  return profiles.map((p) => {
    const active = p.id === activeId;
    return {
      profile: p,
      kind: p.kind === 'bundled' ? 'Bundled server' : graphistry(p, status) ? 'Graphistry' : 'Remote',
      address: p.kind === 'bundled' ? serverStateText(server) : remoteAddress(p),
      user: active ? (status?.user?.username ?? p.username ?? null) : (p.username ?? null),
      active,
      canConnect: !(active && status?.healthy),
      canSignOut: p.has_credential || active,
    };
  });
}

/** A remote profile is known to be a Graphistry once it holds an admin password, or while connected to one. */
function graphistry(p: Profile, status: ConnectionStatus | null): boolean {
  return p.credential_kind === 'password' || (status?.connected === true && status.profile?.id === p.id && status.backend === 'remote-graphistry');
}

/** The address, with a Graphistry's admin path when it is not the default and how its certificate is trusted. */
export function remoteAddress(p: Profile): string {
  const parts = [p.url ?? '—'];
  if (p.admin_path) parts.push(`admin at ${p.admin_path}`);
  if (p.pinned_certificate) parts.push('certificate allowed by fingerprint');
  else if (p.ca_file) parts.push(`CA ${p.ca_file}`);
  return parts.join(' · ');
}

const STATE_TEXT: Record<ServerState, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  crashed: 'Crashed',
};

export function stateLabel(state: ServerState | undefined): string {
  return state ? STATE_TEXT[state] : 'Unknown';
}

export function serverStateText(server: BundledServerStatus | null): string {
  if (server?.state === 'running' && server.url) return `Running at ${server.url}`;
  return stateLabel(server?.state);
}

/** Which of Start / Stop / Restart make sense in a state (the server's own start/stop are idempotent, but a button that does nothing misleads). */
export function serverButtons(state: ServerState | undefined): { start: boolean; stop: boolean; restart: boolean } {
  switch (state) {
    case 'running':
      return { start: false, stop: true, restart: true };
    case 'starting':
      return { start: false, stop: true, restart: false };
    case 'stopping':
      return { start: false, stop: false, restart: false };
    case 'stopped':
    case 'crashed':
      return { start: true, stop: false, restart: false };
    default:
      return { start: true, stop: false, restart: false };
  }
}

/** States that change on their own soon: poll faster while in them. */
export function settling(state: ServerState | undefined): boolean {
  return state === 'starting' || state === 'stopping';
}

/** What the toast says after signing out: exactly what was done, no more. */
export function signOutMessage(name: string, r: ConsoleResults['signOut']): string {
  if (!r.removed_from_keychain)
    return r.was_connected ? `Signed out of ${name}. The console kept no sign-in for it.` : `${name} had no saved sign-in; nothing to remove.`;
  if (r.credential === 'password')
    return `Signed out of ${name}: its admin password was removed from the keychain${r.was_connected ? ' and the admin-site session ended' : ''}.`;
  if (r.revoked_on_server) return `Signed out of ${name}: its key was revoked on the server and removed from the keychain.`;
  return `Signed out of ${name} and removed its key from the keychain. The server could not be reached to revoke that key: it stays valid there until revoked.`;
}
