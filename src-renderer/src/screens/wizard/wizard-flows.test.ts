import { describe, expect, it } from 'vitest';
import type { ConnectionStatus, ConsoleMethod, ConsoleResults, Profile } from '../../../../src-shared/console-api.ts';
import type { ConsoleError, Result } from '../../../../src-shared/console-errors.ts';
import type { RegistrationState } from '../../../../src-shared/domain.ts';
import { connectRemote, createFirstAdmin, pickBundledProfile, startBundled, type Call } from './wizard-flows.ts';
import type { WizardProgress } from './wizard-state.ts';

/**
 * A scripted bridge: each method answers from `answers` (a value, an error,
 * or a function of the params); anything unscripted fails loudly. It stands
 * in for the main process, which has its own integration tests.
 */
type Answer<M extends ConsoleMethod> = ConsoleResults[M] | { error: ConsoleError } | ((params: unknown) => Result<ConsoleResults[M]>);
function fakeBridge(answers: { [M in ConsoleMethod]?: Answer<M> }) {
  const calls: Array<[ConsoleMethod, unknown]> = [];
  const api = (async (method: ConsoleMethod, params: unknown) => {
    calls.push([method, params]);
    const a = answers[method] as Answer<typeof method> | undefined;
    if (a === undefined) return { ok: false, error: { code: 'INTERNAL', message: `unscripted ${method}` } };
    if (typeof a === 'function') return a(params);
    if (a && typeof a === 'object' && 'error' in a) return { ok: false, error: a.error };
    return { ok: true, value: a };
  }) as Call;
  const events: WizardProgress[] = [];
  return { api, calls, events, emit: (e: WizardProgress) => void events.push(e), methods: () => calls.map(([m]) => m) };
}

const profile = (p: Partial<Profile>): Profile => ({
  id: 'p1',
  name: 'x',
  kind: 'bundled',
  created_at: '2025-01-01T00:00:00Z',
  last_used_at: null,
  has_credential: false,
  ...p,
});
const empty: RegistrationState = { has_users: false, signups_open: true, first_signup_needs_setup_token: false, password_rules: [] };
const server = { state: 'running' as const, url: 'http://127.0.0.1:4100', pid: 7, data_dir: '/d', last_error: null, started_at: null };
const connected = { connected: true } as ConnectionStatus;

describe('wizard flows', () => {
  it('bundled: creates "This computer" when there is no bundled profile, starts the server, asks for the first admin', async () => {
    const b = fakeBridge({
      listProfiles: [profile({ id: 'r', kind: 'remote' })],
      saveProfile: profile({ id: 'b1' }),
      startBundledServer: server,
      registrationState: empty,
    });
    await startBundled(b.api, b.emit);
    expect(b.calls[1]).toEqual(['saveProfile', { name: 'This computer', kind: 'bundled' }]);
    expect(b.events).toEqual([
      { type: 'submit' },
      { type: 'profile', profileId: 'b1' },
      { type: 'server-running', url: 'http://127.0.0.1:4100' },
      { type: 'registration', registration: empty },
    ]);
  });

  it('bundled: reuses the existing bundled profile, and a saved sign-in skips the password form', async () => {
    const b = fakeBridge({
      listProfiles: [profile({ id: 'b9', has_credential: true })],
      startBundledServer: server,
      registrationState: { ...empty, has_users: true },
      connect: connected,
    });
    await startBundled(b.api, b.emit);
    expect(b.methods()).toEqual(['listProfiles', 'startBundledServer', 'registrationState', 'connect']);
    expect(b.events.at(-1)).toEqual({ type: 'done' });
  });

  it('bundled: a failed start is reported and nothing after it is asked', async () => {
    const error: ConsoleError = { code: 'PORT_IN_USE', message: 'The port is taken.' };
    const b = fakeBridge({ listProfiles: [profile({})], startBundledServer: { error } });
    await startBundled(b.api, b.emit);
    expect(b.events.at(-1)).toEqual({ type: 'failed', error });
    expect(b.methods()).not.toContain('registrationState');
  });

  it('first admin: differing passwords stop at "Password again" without calling the server', async () => {
    const b = fakeBridge({});
    await createFirstAdmin(b.api, b.emit, 'b1', { username: 'admin', email: '', password: 'one long phrase', password2: 'another', setupToken: '' });
    expect(b.calls).toEqual([]);
    expect(b.events[0]).toMatchObject({ type: 'failed', error: { fields: [{ field: 'password2' }] } });
  });

  it('first admin: sends email and setup token only when given', async () => {
    const b = fakeBridge({ signUpFirstAdmin: connected });
    await createFirstAdmin(b.api, b.emit, 'b1', { username: ' admin ', email: '', password: 'pw pw pw pw', password2: 'pw pw pw pw', setupToken: '' });
    expect(b.calls).toEqual([['signUpFirstAdmin', { profileId: 'b1', username: 'admin', password: 'pw pw pw pw' }]]);
    expect(b.events.at(-1)).toEqual({ type: 'done' });
  });

  it('remote: a failed sign-in removes the profile it just saved and explains the failure', async () => {
    const b = fakeBridge({
      saveProfile: profile({ id: 'r1', kind: 'remote', url: 'https://hub.example.org' }),
      signIn: { error: { code: 'UNAUTHORIZED', message: 'Unable to log in with provided credentials.' } },
      deleteProfile: null,
    });
    await connectRemote(b.api, b.emit, null, { name: 'Hub', url: 'hub.example.org', username: 'admin', password: 'x', admin_path: '/admin/', ca_file: '' });
    expect(b.calls[0]).toEqual(['saveProfile', { kind: 'remote', name: 'Hub', url: 'https://hub.example.org' }]);
    expect(b.calls[2]).toEqual(['deleteProfile', { profileId: 'r1' }]);
    expect(b.events.slice(-2)).toEqual([
      { type: 'profile', profileId: null },
      { type: 'failed', error: { code: 'UNAUTHORIZED', message: 'Wrong username or password.' } },
    ]);
  });

  it('remote: a profile kept from an earlier attempt is updated in place, not duplicated or removed', async () => {
    const b = fakeBridge({ saveProfile: profile({ id: 'r1', kind: 'remote' }), signIn: { error: { code: 'UNREACHABLE', message: 'Nothing is listening.' } } });
    await connectRemote(b.api, b.emit, 'r1', { name: 'Hub', url: 'http://10.0.0.5:8000', username: 'admin', password: 'x', admin_path: '', ca_file: '' });
    expect(b.calls[0]?.[1]).toMatchObject({ id: 'r1' });
    expect(b.methods()).not.toContain('deleteProfile');
    expect(b.events.at(-1)).toMatchObject({ error: { message: 'Cannot reach 10.0.0.5:8000. Nothing is listening.' } });
  });

  it("remote: a Graphistry's admin path, CA file and allowed certificate reach the profile; the default path is left out", async () => {
    const b = fakeBridge({
      saveProfile: profile({ id: 'r2', kind: 'remote' }),
      signIn: { error: { code: 'FORBIDDEN', serverCode: 'NOT_STAFF', message: '"ann" signed in, but is not staff.' } },
      deleteProfile: null,
    });
    const input = {
      name: 'Hub',
      url: 'https://hub.example.org',
      username: 'ann',
      password: 'x',
      admin_path: ' portal/admin ',
      ca_file: '/etc/ca.pem',
      pinned_certificate: 'AB:CD',
    };
    await connectRemote(b.api, b.emit, null, input);
    expect(b.calls[0]).toEqual([
      'saveProfile',
      { kind: 'remote', name: 'Hub', url: 'https://hub.example.org', admin_path: 'portal/admin', ca_file: '/etc/ca.pem', pinned_certificate: 'AB:CD' },
    ]);
    // The Graphistry's own sentence is kept: "not staff" is not the embedded server's "not a superuser".
    expect(b.events.at(-1)).toMatchObject({ error: { serverCode: 'NOT_STAFF', message: '"ann" signed in, but is not staff.' } });
  });

  it('picks the most recently used bundled profile', () => {
    const p = pickBundledProfile([
      profile({ id: 'a', last_used_at: '2025-01-01T00:00:00Z' }),
      profile({ id: 'b', last_used_at: '2025-03-01T00:00:00Z' }),
      profile({ id: 'c', kind: 'remote' }),
    ]);
    expect(p?.id).toBe('b');
    expect(pickBundledProfile([])).toBeNull();
  });
});
