import { describe, expect, it } from 'vitest';
import type { BundledServerStatus, ConnectionStatus, Profile } from '../../../../src-shared/console-api.ts';
import type { User } from '../../../../src-shared/domain.ts';
import { profileRows, serverButtons, serverStateText, settling, signOutMessage } from './connections-model.ts';

const profile = (p: Partial<Profile>): Profile => ({
  id: 'p',
  name: 'x',
  kind: 'remote',
  created_at: '2025-01-01T00:00:00Z',
  last_used_at: null,
  has_credential: false,
  ...p,
});
const server = (s: Partial<BundledServerStatus>): BundledServerStatus => ({
  state: 'stopped',
  url: null,
  pid: null,
  data_dir: '/d',
  last_error: null,
  started_at: null,
  ...s,
});
const admin = { username: 'root' } as User;
const status = (s: Partial<ConnectionStatus>): ConnectionStatus => ({
  profile: null,
  connected: false,
  connection: null,
  user: null,
  server_url: null,
  backend: null,
  capabilities: null,
  healthy: false,
  keychain: { available: true, detail: null },
  ...s,
});

describe('connections model', () => {
  it('names a Graphistry as such and shows its admin path and how its certificate is trusted', () => {
    const hub = profile({
      id: 'g',
      url: 'https://hub.example.org',
      admin_path: '/portal/admin/',
      pinned_certificate: 'AB:CD',
      has_credential: true,
      credential_kind: 'password',
    });
    const [row] = profileRows([hub], status({}), server({}));
    expect(row).toMatchObject({ kind: 'Graphistry', address: 'https://hub.example.org · admin at /portal/admin/ · certificate allowed by fingerprint' });
    expect(profileRows([profile({ url: 'https://x.example' })], status({}), server({}))[0]?.kind).toBe('Remote');
  });

  const bundled = profile({ id: 'b', kind: 'bundled', name: 'This computer', username: 'admin', has_credential: true });
  const remote = profile({ id: 'r', url: 'https://hub.example.org', username: 'ops' });

  it('marks the live profile, shows its signed-in user, and the bundled server state as its address', () => {
    const rows = profileRows(
      [bundled, remote],
      status({ connected: true, healthy: true, profile: bundled, user: admin }),
      server({ state: 'running', url: 'http://127.0.0.1:4100' }),
    );
    expect(rows.map((r) => [r.kind, r.address, r.user, r.active, r.canConnect, r.canSignOut])).toEqual([
      ['Bundled server', 'Running at http://127.0.0.1:4100', 'root', true, false, true],
      ['Remote', 'https://hub.example.org', 'ops', false, true, false],
    ]);
  });

  it('nothing is active while disconnected, even if the status still names a profile', () => {
    const rows = profileRows([bundled], status({ connected: false, profile: bundled }), server({ state: 'crashed' }));
    expect(rows[0]).toMatchObject({ active: false, canConnect: true, address: 'Crashed' });
  });

  it('an unhealthy live connection can be reconnected', () => {
    const rows = profileRows([remote], status({ connected: true, healthy: false, profile: remote, user: admin }), null);
    expect(rows[0]).toMatchObject({ active: true, canConnect: true, canSignOut: true });
  });

  it('offers only the server buttons that would do something', () => {
    expect(serverButtons('running')).toEqual({ start: false, stop: true, restart: true });
    expect(serverButtons('crashed')).toEqual({ start: true, stop: false, restart: false });
    expect(serverButtons('stopping')).toEqual({ start: false, stop: false, restart: false });
    expect(serverButtons(undefined).start).toBe(true);
    expect(serverStateText(null)).toBe('Unknown');
    expect(serverStateText(server({ state: 'starting' }))).toBe('Starting…');
    expect([settling('starting'), settling('running')]).toEqual([true, false]);
  });
});

describe('sign-out messages say what was stored and what was done', () => {
  it('claims a key was removed only when one was kept', () => {
    expect(signOutMessage('Lab', { removed_from_keychain: false, revoked_on_server: false, was_connected: true, credential: null })).not.toMatch(/keychain/);
    expect(signOutMessage('Lab', { removed_from_keychain: false, revoked_on_server: false, was_connected: false, credential: null })).toMatch(
      /nothing to remove/,
    );
  });
  it('says when the key could not be revoked on the server', () => {
    expect(signOutMessage('Lab', { removed_from_keychain: true, revoked_on_server: true, was_connected: true, credential: 'personal_key' })).toMatch(
      /revoked on the server and removed/,
    );
    expect(signOutMessage('Lab', { removed_from_keychain: true, revoked_on_server: false, was_connected: true, credential: 'personal_key' })).toMatch(
      /stays valid there/,
    );
    // A Graphistry keeps the admin's password: nothing to revoke, and no "could not be reached".
    expect(signOutMessage('Hub', { removed_from_keychain: true, revoked_on_server: false, was_connected: true, credential: 'password' })).toBe(
      'Signed out of Hub: its admin password was removed from the keychain and the admin-site session ended.',
    );
  });
});
