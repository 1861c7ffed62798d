import type { Profile } from '../../../../src-shared/console-api.ts';
import type { call } from '../../lib/api.ts';
import type { WizardProgress } from './wizard-state.ts';
import { explainSignInError, hostOf, localFieldError, normalizeUrl } from './wizard-text.ts';

/**
 * The wizard's work, one function per step, over the bridge passed in (so
 * tests can hand in a fake one). Each reports through `emit` and never throws:
 * `call` already returns failures as values.
 */
export type Call = typeof call;
export type Emit = (event: WizardProgress) => void;

export const BUNDLED_PROFILE_NAME = 'This computer';

/** The bundled profile to reuse: there should be one, but prefer the most recently used if not. */
export function pickBundledProfile(profiles: readonly Profile[]): Profile | null {
  const bundled = profiles.filter((p) => p.kind === 'bundled');
  bundled.sort((a, b) => (b.last_used_at ?? '').localeCompare(a.last_used_at ?? ''));
  return bundled[0] ?? null;
}

/** Bundled path: profile, server, then whether to create the first admin or sign in. */
export async function startBundled(api: Call, emit: Emit): Promise<void> {
  emit({ type: 'submit' });
  const list = await api('listProfiles', {});
  if (!list.ok) return emit({ type: 'failed', error: list.error });
  let profile = pickBundledProfile(list.value);
  if (!profile) {
    const saved = await api('saveProfile', { name: BUNDLED_PROFILE_NAME, kind: 'bundled' });
    if (!saved.ok) return emit({ type: 'failed', error: saved.error });
    profile = saved.value;
  }
  emit({ type: 'profile', profileId: profile.id });

  const started = await api('startBundledServer', {});
  if (!started.ok) return emit({ type: 'failed', error: started.error });
  emit({ type: 'server-running', url: started.value.url ?? 'this computer' });

  const reg = await api('registrationState', { profileId: profile.id });
  if (!reg.ok) return emit({ type: 'failed', error: reg.error });
  // A saved sign-in from an earlier run makes the password form unnecessary.
  if (reg.value.has_users && profile.has_credential) {
    const connected = await api('connect', { profileId: profile.id });
    if (connected.ok) return emit({ type: 'done' });
  }
  emit({ type: 'registration', registration: reg.value });
}

export interface FirstAdminInput {
  username: string;
  email: string;
  password: string;
  password2: string;
  setupToken: string;
}

export async function createFirstAdmin(api: Call, emit: Emit, profileId: string, input: FirstAdminInput): Promise<void> {
  if (input.password !== '' && input.password !== input.password2) {
    return emit({ type: 'failed', error: localFieldError('password2', 'The two passwords differ.') });
  }
  emit({ type: 'submit' });
  const r = await api('signUpFirstAdmin', {
    profileId,
    username: input.username.trim(),
    password: input.password,
    ...(input.email.trim() ? { email: input.email.trim() } : {}),
    ...(input.setupToken.trim() ? { setup_token: input.setupToken.trim() } : {}),
  });
  emit(r.ok ? { type: 'done' } : { type: 'failed', error: r.error });
}

export async function signInTo(api: Call, emit: Emit, profileId: string, host: string, username: string, password: string): Promise<void> {
  emit({ type: 'submit' });
  const r = await api('signIn', { profileId, username: username.trim(), password });
  emit(r.ok ? { type: 'done' } : { type: 'failed', error: explainSignInError(r.error, host) });
}

export interface RemoteInput {
  name: string;
  url: string;
  username: string;
  password: string;
  /** A Graphistry's admin site prefix (blank or /admin/: the default). */
  admin_path: string;
  /** A PEM file of the certificate authority to trust for this server only (blank: the system's). */
  ca_file: string;
  /** Set when the admin chose to allow the server's self-signed certificate. */
  pinned_certificate?: string;
  /** The one-time code a Graphistry's admin site asked for (django-otp); sent with this sign-in only. */
  otp?: string;
}

/** The profile fields of the form: only what differs from the defaults is sent. */
export function remoteProfile(input: RemoteInput, url: string) {
  const adminPath = input.admin_path.trim();
  return {
    kind: 'remote' as const,
    name: input.name.trim(),
    url,
    ...(adminPath && adminPath.replace(/^\/*|\/*$/g, '') !== 'admin' ? { admin_path: adminPath } : {}),
    ...(input.ca_file.trim() ? { ca_file: input.ca_file.trim() } : {}),
    ...(input.pinned_certificate ? { pinned_certificate: input.pinned_certificate } : {}),
  };
}

/**
 * Remote path: save the profile, then sign in. A profile this attempt created
 * is removed again when the sign-in fails, so a mistyped address does not
 * linger in Connections; one saved earlier in this run is updated in place.
 */
export async function connectRemote(api: Call, emit: Emit, profileId: string | null, input: RemoteInput): Promise<void> {
  emit({ type: 'submit' });
  const url = normalizeUrl(input.url);
  const saved = await api('saveProfile', { ...(profileId ? { id: profileId } : {}), ...remoteProfile(input, url) });
  if (!saved.ok) return emit({ type: 'failed', error: saved.error });
  const otp = input.otp?.trim();
  const r = await api('signIn', { profileId: saved.value.id, username: input.username.trim(), password: input.password, ...(otp ? { otp } : {}) });
  if (r.ok) return emit({ type: 'done' });
  // Reuse what remains on the next attempt: the earlier profile, or this one if removing it failed.
  const removed = !profileId && (await api('deleteProfile', { profileId: saved.value.id })).ok;
  emit({ type: 'profile', profileId: removed ? null : saved.value.id });
  emit({ type: 'failed', error: explainSignInError(r.error, hostOf(url)) });
}
