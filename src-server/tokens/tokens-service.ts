import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { epochSeconds } from '../lib/clock.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import { AppError, BAD_CREDENTIALS_MESSAGE } from '../errors.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import { parsePersonalKeyHeader, type KeysService } from '../keys/keys-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { AccessClaims, JwtSigner } from './jwt.ts';
import { TOKEN_EXPIRED_MESSAGE, TOKEN_INVALID_MESSAGE } from './jwt.ts';

export const REFRESH_EXPIRED_MESSAGE = 'Refresh has expired.';

/** The authenticated caller of a request, re-checked against the database on every request. */
export interface Principal {
  user: UserRow;
  via: 'jwt' | 'personal_key';
  keyId: string | null;
  claims: AccessClaims | null;
}

export interface TokensServiceDeps {
  db: Kysely<Database>;
  users: UsersRepo;
  keys: KeysService;
  jwt: JwtSigner;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  audit: AuditService;
  clock: Clock;
  refreshSeconds: number;
}

export function createTokensService(deps: TokensServiceDeps) {
  const { db, users, keys, jwt, hasher, throttle, audit, clock, refreshSeconds } = deps;
  // Verified against when the username is unknown, so an unknown user costs
  // the same argon2id time as a wrong password.
  let dummyHash: Promise<string> | null = null;
  const getDummyHash = () => (dummyHash ??= hasher.hash('graphistry-admin-dummy-password'));

  function badCredentials(status?: number, headers?: Record<string, string>): AppError {
    return new AppError(status === 429 ? 'THROTTLED' : 'INVALID_CREDENTIALS', BAD_CREDENTIALS_MESSAGE, { ...(headers ? { headers } : {}) });
  }

  async function issue(user: UserRow, opts: { keyId?: string; origIat?: number } = {}) {
    return jwt.sign({
      userId: Number(user.id),
      username: user.username,
      email: user.email,
      ver: user.auth_epoch,
      ...(opts.keyId ? { keyId: opts.keyId } : {}),
      ...(opts.origIat ? { origIat: opts.origIat } : {}),
    });
  }

  /** Is the identity behind verified claims still good right now (active, same epoch, key not revoked)? */
  async function principalFromClaims(claims: AccessClaims): Promise<Principal | null> {
    const user = await users.byId(db, claims.user_id);
    if (!user || !bool(user.is_active) || user.auth_epoch !== claims.ver) return null;
    if (claims.pk && !(await keys.isUsable(claims.pk))) return null;
    return { user, via: 'jwt', keyId: claims.pk ?? null, claims };
  }

  return {
    issue,

    /** Username (or email) and password to a JWT. Every failure is the same 4xx text. */
    async passwordLogin(identifier: string, password: string, ip: string | null): Promise<{ token: string; user: UserRow }> {
      // A cheap lookup first, so the account is throttled as one whether it is
      // named by username or by email.
      // Names no account can have (too long, NUL, which PostgreSQL cannot even compare) skip the lookup.
      const lookable = identifier.length <= 254 && !/\p{Cc}/u.test(identifier);
      let user = lookable ? await users.byUsername(db, identifier) : undefined;
      if (!user && lookable && identifier.includes('@')) user = await users.byEmail(db, identifier);
      const account = user ? `#${user.id}` : identifier;
      // Counted before hashing, so concurrent guesses cannot all slip past the limit.
      const wait = throttle.reserve(account, ip);
      if (wait > 0) {
        await audit.record({ userId: null, username: identifier, ip }, { action: 'auth.login', outcome: 'failure', target: identifier, detail: { reason: 'throttled' } });
        throw badCredentials(429, { 'Retry-After': String(wait) });
      }
      let ok: boolean;
      try {
        ok = await hasher.verify(user?.password_hash ?? (await getDummyHash()), password);
      } catch (e) {
        throttle.release(account, ip); // never judged (hasher busy, database down): not a failed guess
        throw e;
      }
      if (!user || !ok || !bool(user.is_active)) {
        await audit.record(
          { userId: null, username: identifier, ip },
          { action: 'auth.login', outcome: 'failure', ...(user ? { targetType: 'user', targetId: Number(user.id) } : {}), target: identifier, detail: { reason: !user ? 'unknown_user' : !ok ? 'bad_password' : 'inactive' } },
        );
        throw badCredentials();
      }
      throttle.succeed(account, ip);
      const now = clock.now().toISOString();
      await users.update(db, Number(user.id), { last_login: now });
      await audit.record({ userId: Number(user.id), username: user.username, ip }, { action: 'auth.login', targetType: 'user', targetId: Number(user.id), target: user.username, detail: { method: 'password' } });
      const { token } = await issue(user);
      return { token, user: { ...user, last_login: now } };
    },

    /** `PersonalKey id:secret` to a JWT; the JWT names the key so revoking the key ends it. */
    async exchangeKey(id: string, secret: string, ip: string | null): Promise<{ token: string; user: UserRow }> {
      const wait = throttle.retryAfter(null, ip);
      if (wait > 0) throw new AppError('THROTTLED', 'Invalid personal key.', { headers: { 'Retry-After': String(wait) } });
      const key = await keys.authenticate(id, secret);
      const user = key ? await users.byId(db, key.user_id) : undefined;
      if (!key || !user || !bool(user.is_active)) {
        throttle.fail(null, ip);
        await audit.record({ userId: null, username: 'anonymous', ip }, { action: 'auth.pkey', outcome: 'failure', detail: { key_id: id.slice(0, 64) } });
        throw new AppError('UNAUTHENTICATED', 'Invalid personal key.', { headers: { 'WWW-Authenticate': 'PersonalKey' } });
      }
      await audit.record({ userId: Number(user.id), username: user.username, ip }, { action: 'auth.pkey', targetType: 'user', targetId: Number(user.id), target: user.username, detail: { key_id: id } });
      const { token } = await issue(user, { keyId: key.id });
      return { token, user };
    },

    /** New token with the same `orig_iat`, while the refresh window lasts and the identity is still good. */
    async refresh(token: string): Promise<{ token: string; user: UserRow }> {
      const claims = await jwt.verify(token);
      if (epochSeconds(clock.now()) >= claims.orig_iat + refreshSeconds) {
        throw new AppError('TOKEN_EXPIRED', REFRESH_EXPIRED_MESSAGE);
      }
      const principal = await principalFromClaims(claims);
      if (!principal) throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
      const fresh = await issue(principal.user, { origIat: claims.orig_iat, ...(claims.pk ? { keyId: claims.pk } : {}) });
      return { token: fresh.token, user: principal.user };
    },

    async verify(token: string): Promise<Principal> {
      const claims = await jwt.verify(token);
      const principal = await principalFromClaims(claims);
      if (!principal) throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
      return principal;
    },

    /**
     * The caller of an API request, from `Authorization: Bearer <jwt>` or
     * `Authorization: PersonalKey <id>:<secret>`. Any failure is one 401.
     */
    async authenticate(header: string | undefined): Promise<Principal> {
      const unauthenticated = (why: string) =>
        new AppError('UNAUTHENTICATED', why, { headers: { 'WWW-Authenticate': 'Bearer, PersonalKey' } });
      if (!header) throw unauthenticated('Authentication credentials were not provided.');
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (bearer) {
        let claims: AccessClaims;
        try {
          claims = await jwt.verify(bearer[1]!);
        } catch (e) {
          throw unauthenticated(e instanceof AppError && e.code === 'TOKEN_EXPIRED' ? TOKEN_EXPIRED_MESSAGE : 'Invalid token.');
        }
        const principal = await principalFromClaims(claims);
        if (!principal) throw unauthenticated('Invalid token.');
        return principal;
      }
      const pk = parsePersonalKeyHeader(header);
      if (pk) {
        const key = await keys.authenticate(pk.id, pk.secret);
        const user = key ? await users.byId(db, key.user_id) : undefined;
        if (!key || !user || !bool(user.is_active)) throw unauthenticated('Invalid personal key.');
        return { user, via: 'personal_key', keyId: key.id, claims: null };
      }
      throw unauthenticated('Unsupported authorization scheme: use Bearer or PersonalKey.');
    },
  };
}
export type TokensService = ReturnType<typeof createTokensService>;
