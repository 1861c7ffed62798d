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
  if (previous && previous.id !== key.id) await authed.revokeKey('me', previous.id).catch(() => undefined);
  return { auth: { type: 'personal_key', id: key.id, secret: key.secret }, user, stored: true };
}

export function requireSuperuser(user: User): void {
  if (!user.is_superuser) {
    throw new ConsoleFailure({ code: 'FORBIDDEN', message: `"${user.username}" is not a superuser: the console needs an administrator account.` });
  }
}
