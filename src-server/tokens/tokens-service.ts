import type { KeyRow, UserRow } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { epochSeconds } from '../lib/clock.ts';
import type { PasswordCheck } from '../auth/password-check.ts';
import { AppError, BAD_CREDENTIALS_MESSAGE } from '../errors.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import { isKeyId, parsePersonalKeyHeader, type KeysService } from '../keys/keys-service.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { AccessClaims, JwtSigner } from './jwt.ts';
import { TOKEN_EXPIRED_MESSAGE, TOKEN_INVALID_MESSAGE } from './jwt.ts';
import { createActiveOrgs, newSessionId, type ActiveOrganizationAnswer, type SignInOrg } from './active-organization.ts';
import { createOrgSessionsRepo } from './org-sessions-repo.ts';

export const REFRESH_EXPIRED_MESSAGE = 'Refresh has expired.';
export const PASSWORD_CHANGE_REQUIRED_MESSAGE =
  'Your administrator asks you to choose a new password: sign in on the web page (/accounts/login/) to change it, then sign in here again.';

/** The authenticated caller of a request, re-checked against the database on every request. */
export interface Principal {
  user: UserRow;
  via: 'jwt' | 'personal_key';
  keyId: string | null;
  claims: AccessClaims | null;
}

/** A JWT handed out, with the organization it was issued for (`active_organization` of the answer). */
export interface IssuedToken {
  token: string;
  user: UserRow;
  activeOrganization: ActiveOrganizationAnswer;
}

export interface TokensServiceDeps {
  db: Pick<Db, 'read' | 'write' | 'statements'>;
  users: UsersRepo;
  keys: KeysService;
  jwt: JwtSigner;
  checkPassword: PasswordCheck;
  throttle: LoginThrottle;
  audit: AuditService;
  clock: Clock;
  refreshSeconds: number;
}

export function createTokensService(deps: TokensServiceDeps) {
  const { db, users, keys, jwt, checkPassword, throttle, audit, clock, refreshSeconds } = deps;
  // The organization a token is for, and the switches its session made: part of every sign-in and refresh.
  const activeOrgs = createActiveOrgs({ db, repo: createOrgSessionsRepo(db), audit, clock, refreshSeconds });

  /** The one sentence for every failed sign-in; 429 with Retry-After once throttled. */
  function badCredentials(retryAfter = 0): AppError {
    if (retryAfter > 0) return new AppError('THROTTLED', BAD_CREDENTIALS_MESSAGE, { headers: { 'Retry-After': String(retryAfter) } });
    return new AppError('INVALID_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
  }

  /**
   * The account a sign-in names, by username (as typed, then in Django's NFKC
   * form, so accounts made before names were normalised keep working) or by
   * email. Names no account can have (too long, control characters, which
   * PostgreSQL cannot even compare) skip the lookup.
   */
  async function findAccount(identifier: string): Promise<UserRow | undefined> {
    if (identifier.length > 254 || /\p{Cc}/u.test(identifier)) return undefined;
    const user = await users.byLogin(db.read, identifier);
    return user ?? (identifier.includes('@') ? users.byEmail(db.read, identifier) : undefined);
  }

  /**
   * A presented personal key: its user when the key is good and the user
   * active; otherwise the failure is counted per address and audited, and the
   * answer says how long to wait (0: a plain 401).
   */
  async function keyPrincipal(
    id: string,
    secret: string,
    ip: string | null,
    via: 'exchange' | 'api',
  ): Promise<{ user: UserRow; key: KeyRow } | { retryAfter: number }> {
    const key = await keys.authenticate(id, secret);
    const user = key ? await users.byId(db.read, key.user_id) : undefined;
    if (key && user && bool(user.is_active)) return { user, key };
    const retryAfter = await throttle.keyFailed(ip);
    // Only a well-formed key id is recorded: whatever else was sent there may be a secret pasted in the wrong place.
    const keyId = isKeyId(id) ? id : null;
    await audit.record(
      { userId: null, username: 'anonymous', ip },
      { action: 'auth.pkey', outcome: 'failure', detail: { key_id: keyId, via, reason: retryAfter > 0 ? 'throttled' : key ? 'inactive' : 'bad_key' } },
    );
    return { retryAfter };
  }

  /**
   * Sign a token for `user`. `sid` names the token's session: a new one
   * unless given (a refresh keeps its token's; null for a token minted
   * before sessions existed, whose refreshes stay without one). `org` is the
   * named organization it is issued for.
   */
  async function issue(user: UserRow, opts: { keyId?: string; origIat?: number; sid?: string | null; org?: string } = {}) {
    return jwt.sign({
      userId: Number(user.id),
      username: user.username,
      email: user.email,
      ver: user.auth_epoch,
      keyId: opts.keyId,
      origIat: opts.origIat,
      sid: opts.sid === undefined ? newSessionId() : (opts.sid ?? undefined),
      org: opts.org,
    });
  }

  /** The audit detail of a sign-in that named an organization. */
  const orgDetail = (orgName: string | null | undefined, signedIn: SignInOrg) => (orgName ? { org: orgName, org_member: signedIn.answer.is_member } : {});

  /** Is the identity behind verified claims still good right now (active, same epoch, key not revoked)? */
  async function principalFromClaims(claims: AccessClaims): Promise<Principal | null> {
    const user = await users.byId(db.read, claims.user_id);
    if (!user || !bool(user.is_active) || user.auth_epoch !== claims.ver) return null;
    if (claims.pk && !(await keys.isUsable(claims.pk))) return null;
    return { user, via: 'jwt', keyId: claims.pk ?? null, claims };
  }

  /** A sign-in refused although its password was right (not a superuser for the console; a new password required): audited as such. */
  async function refusedAfterPassword(user: UserRow, ip: string | null, detail: { reason: string; client?: string }): Promise<void> {
    await audit.record(
      { userId: Number(user.id), username: user.username, ip },
      {
        action: 'auth.login',
        outcome: 'failure',
        targetType: 'user',
        targetId: Number(user.id),
        target: user.username,
        detail: { method: 'password', ...detail },
      },
    );
  }

  return {
    issue,
    /** `POST /api/v2/o/<slug>/switch/` and `GET /api/v2/organizations/active` (tokens-routes.ts). */
    activeOrgs,

    /**
     * Username (or email) and password to a JWT. Every failure of the
     * credentials is the same 4xx text. With `requireSuperuser` (the admin
     * console) a right password of an account that is not a superuser is
     * refused after the check: audited as a failed sign-in, and not a login
     * (last login stays as it was). `orgName` is the organization the
     * client asks for (pygraphistry's `org_name`): looked up only when sent.
     */
    async passwordLogin(
      identifier: string,
      password: string,
      ip: string | null,
      opts: { requireSuperuser?: boolean; orgName?: string | null | undefined; page?: boolean } = {},
    ): Promise<IssuedToken> {
      const user = await findAccount(identifier);
      const verdict = await checkPassword({
        user,
        typed: identifier,
        password,
        usable: Boolean(user && bool(user.is_active)),
        ip,
        audit: { actor: { userId: null, username: identifier, ip }, action: 'auth.login', target: identifier },
      });
      if (!verdict.ok) throw badCredentials(verdict.retryAfter);
      const found = user!;
      if (opts.requireSuperuser && !bool(found.is_superuser)) {
        await refusedAfterPassword(found, ip, { reason: 'not_superuser', client: 'console' });
        throw new AppError('SUPERUSER_REQUIRED', `"${found.username}" is not a superuser: the console needs an administrator account.`);
      }
      // Held until the user picks a new password: the sign-in page (`page`) lets them in only to do that
      // (pages/password-change-page.ts); an API client gets a code and a sentence to show.
      if (bool(found.must_change_password) && !opts.page) {
        await refusedAfterPassword(found, ip, { reason: 'password_change_required' });
        throw new AppError('PASSWORD_CHANGE_REQUIRED', PASSWORD_CHANGE_REQUIRED_MESSAGE);
      }
      const signedIn = await activeOrgs.resolveSignInOrg(found, opts.orgName);
      const now = clock.now().toISOString();
      // Both writes at once (on SQLite they share one hand-over and one commit); the token is
      // answered only once both are stored.
      const [{ token }] = await Promise.all([
        issue(found, signedIn.org ? { org: signedIn.org } : {}),
        users.update(db.write, Number(found.id), { last_login: now }),
        audit.record(
          { userId: Number(found.id), username: found.username, ip },
          {
            action: 'auth.login',
            targetType: 'user',
            targetId: Number(found.id),
            target: found.username,
            detail: { method: 'password', ...orgDetail(opts.orgName, signedIn) },
          },
        ),
      ]);
      return { token, user: { ...found, last_login: now }, activeOrganization: signedIn.answer };
    },

    /** `PersonalKey id:secret` to a JWT; the JWT names the key so revoking the key ends it. */
    async exchangeKey(id: string, secret: string, ip: string | null, opts: { orgName?: string | null | undefined } = {}): Promise<IssuedToken> {
      const found = await keyPrincipal(id, secret, ip, 'exchange');
      if ('retryAfter' in found) {
        const headers: Record<string, string> = found.retryAfter > 0 ? { 'Retry-After': String(found.retryAfter) } : { 'WWW-Authenticate': 'PersonalKey' };
        throw new AppError(found.retryAfter > 0 ? 'THROTTLED' : 'UNAUTHENTICATED', 'Invalid personal key.', { headers });
      }
      const { user, key } = found;
      const signedIn = await activeOrgs.resolveSignInOrg(user, opts.orgName);
      await audit.record(
        { userId: Number(user.id), username: user.username, ip },
        {
          action: 'auth.pkey',
          targetType: 'user',
          targetId: Number(user.id),
          target: user.username,
          detail: { key_id: id, ...orgDetail(opts.orgName, signedIn) },
        },
      );
      const { token } = await issue(user, signedIn.org ? { keyId: key.id, org: signedIn.org } : { keyId: key.id });
      return { token, user, activeOrganization: signedIn.answer };
    },

    /**
     * New token with the same `orig_iat` and session, while the refresh
     * window lasts and the identity is still good. It carries the session's
     * active organization as it is now (a switch made since wins over the old
     * claim; a membership removed since falls back to the personal one);
     * with `orgName`, a member switches to that organization.
     */
    async refresh(token: string, opts: { orgName?: string | null | undefined; ip?: string | null } = {}): Promise<IssuedToken> {
      const claims = await jwt.verify(token);
      if (epochSeconds(clock.now()) >= claims.orig_iat + refreshSeconds) {
        throw new AppError('TOKEN_EXPIRED', REFRESH_EXPIRED_MESSAGE);
      }
      const principal = await principalFromClaims(claims);
      if (!principal) throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
      const signedIn = await activeOrgs.forRefresh(principal.user, claims, opts.orgName, opts.ip ?? null);
      const fresh = await issue(principal.user, {
        origIat: claims.orig_iat,
        sid: claims.sid ?? null,
        ...(claims.pk ? { keyId: claims.pk } : {}),
        ...(signedIn.org ? { org: signedIn.org } : {}),
      });
      return { token: fresh.token, user: principal.user, activeOrganization: signedIn.answer };
    },

    async verify(token: string): Promise<Principal> {
      const claims = await jwt.verify(token);
      const principal = await principalFromClaims(claims);
      if (!principal) throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
      return principal;
    },

    /**
     * The caller of an API request, from `Authorization: Bearer <jwt>` or
     * `Authorization: PersonalKey <id>:<secret>`. Any failure is one 401
     * (429 once an address's personal-key failures pass the limit); a failed
     * personal key is counted and audited as at the key exchange.
     */
    async authenticate(header: string | undefined, ip: string | null): Promise<Principal> {
      const unauthenticated = (why: string) => new AppError('UNAUTHENTICATED', why, { headers: { 'WWW-Authenticate': 'Bearer, PersonalKey' } });
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
        const found = await keyPrincipal(pk.id, pk.secret, ip, 'api');
        if ('retryAfter' in found) {
          if (found.retryAfter > 0) throw new AppError('THROTTLED', 'Invalid personal key.', { headers: { 'Retry-After': String(found.retryAfter) } });
          throw unauthenticated('Invalid personal key.');
        }
        return { user: found.user, via: 'personal_key', keyId: found.key.id, claims: null };
      }
      throw unauthenticated('Unsupported authorization scheme: use Bearer or PersonalKey.');
    },
  };
}
export type TokensService = ReturnType<typeof createTokensService>;
