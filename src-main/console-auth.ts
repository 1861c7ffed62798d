import type { Backend, BackendAuth, Vault } from './contracts.ts';
import type { User } from '../src-shared/domain.ts';
import { ConsoleFailure } from '../src-shared/console-errors.ts';

/**
 * After a password has proved who the admin is, the console keeps a personal
 * key named after this machine in the OS keychain, never the password. With
 * no keychain it keeps nothing and stays connected on the short-lived JWT.
 */
export async function adoptMachineKey(opts: {
  backend: Backend;
  token: string;
  vault: Vault;
  profileId: string;
  username: string;
  machine: string;
}): Promise<{ auth: BackendAuth; user: User; stored: boolean }> {
  const bearer: BackendAuth = { type: 'bearer', token: opts.token };
  const authed = opts.backend.withAuth(bearer);
  const user = await authed.me();
  if (!user.is_superuser) {
    throw new ConsoleFailure({ code: 'FORBIDDEN', message: `"${user.username}" is not a superuser: the console needs an administrator account.` });
  }
  const keychain = await opts.vault.status();
  if (!keychain.available) return { auth: bearer, user, stored: false };
  // A key from an earlier sign-in on this machine is replaced, not piled up.
  const previous = await opts.vault.get(opts.profileId).catch(() => null);
  const key = await authed.createKey('me', { name: `Graphistry Admin Console on ${opts.machine}`.slice(0, 100) });
  await opts.vault.set(opts.profileId, { kind: 'personal_key', id: key.id, secret: key.secret, username: user.username });
  if (previous?.kind === 'personal_key' && previous.id !== key.id) await authed.revokeKey('me', previous.id).catch(() => undefined);
  return { auth: { type: 'personal_key', id: key.id, secret: key.secret }, user, stored: true };
}

export function requireSuperuser(user: User): void {
  if (!user.is_superuser) {
    throw new ConsoleFailure({ code: 'FORBIDDEN', message: `"${user.username}" is not a superuser: the console needs an administrator account.` });
  }
}

/** The admin password a Graphistry profile keeps in the keychain, read at the moment a session must be opened. */
export function keychainPassword(vault: Vault, profileId: string, username: string): () => Promise<string | null> {
  return async () => {
    const stored = await vault.get(profileId).catch(() => null);
    return stored?.kind === 'password' && stored.username === username ? stored.password : null;
  };
}

/**
 * A Graphistry's admin site takes only a password, so that is what the
 * keychain keeps for it (never a file, never the renderer). The password
 * typed now opens the first session; after that it is read from the keychain
 * whenever the session must be opened again. With no keychain nothing is kept:
 * the session lasts until the admin site ends it.
 */
export async function signInToGraphistry(opts: {
  backend: Backend;
  vault: Vault;
  profileId: string;
  username: string;
  password: string;
  /** A one-time code the admin site asks for after the password: for this sign-in only, never kept. */
  otp?: string;
}): Promise<{ auth: BackendAuth; backend: Backend; user: User; stored: boolean }> {
  let typed: string | null = opts.password;
  const fromKeychain = keychainPassword(opts.vault, opts.profileId, opts.username);
  const auth: BackendAuth = {
    type: 'admin_password',
    username: opts.username,
    password: async () => typed ?? fromKeychain(),
    ...(opts.otp ? { otp: opts.otp } : {}),
  };
  const backend = opts.backend.withAuth(auth);
  try {
    const user = await backend.me();
    if (!user.is_superuser) await backend.endSession().catch(() => undefined);
    requireSuperuser(user);
    const keychain = await opts.vault.status();
    if (keychain.available) await opts.vault.set(opts.profileId, { kind: 'password', username: opts.username, password: opts.password });
    return { auth, backend, user, stored: keychain.available };
  } finally {
    typed = null;
  }
}
