import type { Kysely, Transaction } from 'kysely';
import { bool, type Database, type SsoProviderRow, type UserRow } from '../db/schema.ts';
import { isAppError } from '../errors.ts';
import { randomSecret } from '../lib/crypto.ts';
import { usernameSchema } from '../../src-shared/user-schemas.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import { assertIdentifiersFree } from '../users/account-identifiers.ts';
import type { IdClaims } from './sso-flow.ts';
import type { SsoRepo } from './sso-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** How a sign-in found its account, for the audit row. */
export type Resolution =
  | { user: UserRow; how: 'linked' | 'linked_by_email' | 'created' }
  | { user: null; how: 'no_account' }
  /** The verified email names a superuser or staff account: never linked by email alone. */
  | { user: null; how: 'admin_account'; match: UserRow };

/**
 * A password no hash function produces (Django's unusable-password marker
 * followed by random text): an account made through SSO has no password
 * until an admin sets one, and never verifies one.
 */
export const unusablePassword = () => `!sso-${randomSecret(24)}`;

/**
 * A username made from the IdP's claims: `preferred_username`, else the
 * email's local part, with characters the username rule refuses replaced by
 * `_`; then `name`, `name2`, `name3`... until one is free by the sign-up
 * rules (taken, a look-alike, an email or an organization's id).
 */
export async function freeUsername(q: Q, users: UsersRepo, claims: IdClaims): Promise<string> {
  const raw = claims.preferred_username || (claims.email ? claims.email.split('@')[0] : '') || 'user';
  const base =
    raw
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}_.@+-]/gu, '_')
      .slice(0, 140) || 'user';
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}${n}`;
    if (!usernameSchema.safeParse(candidate).success) continue;
    try {
      await assertIdentifiersFree(q, users, { username: candidate });
      return candidate;
    } catch (e) {
      if (!isAppError(e)) throw e;
    }
  }
  return `user-${randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
}

/**
 * The account an identity signs in to, inside the accounts lock: the
 * (issuer, sub) link; else, when the IdP links by verified email and the
 * IdP says the email is verified, the account with that email (linked now)
 * unless it is a superuser or staff account, which an email at an IdP must
 * not take over (refused: an administrator links it); else a new account
 * when `signup` is on; else none.
 */
export async function resolveAccount(
  q: Q,
  deps: { repo: SsoRepo; users: UsersRepo },
  p: { provider: SsoProviderRow; issuer: string; claims: IdClaims; signup: boolean; at: string },
): Promise<Resolution> {
  const { repo, users } = deps;
  const { provider, issuer, claims, at } = p;
  const linked = await repo.identity(q, issuer, claims.sub);
  if (linked) {
    const user = await users.byId(q, linked.user_id);
    if (user) {
      await repo.touchIdentity(q, Number(linked.id), at);
      return { user, how: 'linked' };
    }
  }
  const email = typeof claims.email === 'string' && claims.email.length <= 254 ? claims.email : null;
  if ((provider.link_verified_email === true || provider.link_verified_email === 1) && email && claims.email_verified === true) {
    const user = await users.byEmail(q, email);
    if (user && (bool(user.is_superuser) || bool(user.is_staff))) return { user: null, how: 'admin_account', match: user };
    if (user) {
      await repo.link(q, { issuer, sub: claims.sub, userId: Number(user.id), providerId: Number(provider.id), at });
      return { user, how: 'linked_by_email' };
    }
  }
  if (!p.signup) return { user: null, how: 'no_account' };
  const username = await freeUsername(q, users, claims);
  // The email is kept only when the IdP vouches for it and no account here answers to it.
  let keepEmail: string | null = null;
  if (email && claims.email_verified === true && !(await users.byEmail(q, email))) {
    try {
      await assertIdentifiersFree(q, users, { email });
      keepEmail = email;
    } catch (e) {
      if (!isAppError(e)) throw e;
    }
  }
  const user = await users.create(q, { username, email: keepEmail, passwordHash: unusablePassword(), staff: false, superuser: false, at, signedIn: true });
  await repo.link(q, { issuer, sub: claims.sub, userId: Number(user.id), providerId: Number(provider.id), at });
  return { user, how: 'created' };
}
