import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { jwtVerify, exportJWK, calculateJwkThumbprint, errors as joseErrors, type JWK } from 'jose';
import { AppError } from '../errors.ts';
import type { Clock } from '../lib/clock.ts';
import { epochSeconds } from '../lib/clock.ts';

/**
 * Claims as Graphistry's clients read them (`username`, `user_id`, `iat`,
 * `exp`, `orig_iat`), plus `ver` (the user's auth epoch, so a password change
 * or deactivation ends old tokens), `pk` (the personal key a token was
 * minted from, so revoking the key ends its tokens), `sid` (the token's
 * session: minted at sign-in, kept by refresh, the key under which
 * `POST /api/v2/o/<slug>/switch/` remembers the active organization) and
 * `org` (the slug of the named organization the token was issued for;
 * absent: the personal one). Tokens made before `sid` existed have none.
 */
export interface AccessClaims {
  user_id: number;
  username: string;
  email?: string;
  iat: number;
  exp: number;
  orig_iat: number;
  ver: number;
  pk?: string;
  sid?: string;
  org?: string;
}

export const TOKEN_EXPIRED_MESSAGE = 'Token has expired.';
export const TOKEN_INVALID_MESSAGE = 'Error decoding signature.';

const ALG = 'ES256';
const CACHE_LIMIT = 10_000;

export async function createJwtSigner(deps: { privateKeyPem: string; clock: Clock; lifetimeSeconds: number }) {
  const { clock, lifetimeSeconds } = deps;
  const privateKey = createPrivateKey(deps.privateKeyPem);
  const publicKey = createPublicKey(deps.privateKeyPem);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: ALG, use: 'sig' };
  const kid = await calculateJwkThumbprint(publicJwk);
  publicJwk.kid = kid;
  // Signature checks are cached by token hash until expiry; the per-request
  // user/key lookup that enforces revocation is never cached.
  const verified = new Map<string, AccessClaims>();
  const header = Buffer.from(JSON.stringify({ alg: ALG, kid, typ: 'JWT' })).toString('base64url');

  async function sign(input: {
    userId: number;
    username: string;
    email: string | null;
    ver: number;
    origIat?: number | undefined;
    keyId?: string | undefined;
    sid?: string | undefined;
    org?: string | undefined;
  }): Promise<{ token: string; claims: AccessClaims }> {
    const iat = epochSeconds(clock.now());
    // Literals rather than spreads of optional parts: an object built by spreading is one
    // JSON.stringify cannot take its fast path on (measured: a sixth of a /me request).
    const exp = iat + lifetimeSeconds;
    const origIat = input.origIat ?? iat;
    const claims: AccessClaims = input.email
      ? { user_id: input.userId, username: input.username, email: input.email, iat, exp, orig_iat: origIat, ver: input.ver }
      : { user_id: input.userId, username: input.username, iat, exp, orig_iat: origIat, ver: input.ver };
    if (input.keyId) claims.pk = input.keyId;
    if (input.sid) claims.sid = input.sid;
    if (input.org) claims.org = input.org;
    // Signed with node:crypto rather than jose's WebCrypto path: a quarter of the
    // CPU, and signing sits on the hot path of every sign-in and key exchange.
    // JOSE's ES256 signature is the raw r||s form (dsaEncoding ieee-p1363).
    const input64 = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = cryptoSign('sha256', Buffer.from(input64), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${input64}.${signature.toString('base64url')}`, claims };
  }

  /** Verify signature and expiry; throws TOKEN_EXPIRED or TOKEN_INVALID with Graphistry's texts. */
  async function verify(token: string): Promise<AccessClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
    }
    // The token itself keys the cache (bounded entries, each at most 4 KiB): hashing it cost more than the lookup saves.
    const cacheKey = token;
    let claims = verified.get(cacheKey);
    if (!claims) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { algorithms: [ALG], currentDate: clock.now() });
        claims = checkShape(payload);
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', TOKEN_EXPIRED_MESSAGE);
        if (e instanceof AppError) throw e;
        throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
      }
      if (epochSeconds(clock.now()) < claims.exp) {
        if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value as string);
        verified.set(cacheKey, claims);
      }
    }
    if (epochSeconds(clock.now()) >= claims.exp) {
      verified.delete(cacheKey);
      throw new AppError('TOKEN_EXPIRED', TOKEN_EXPIRED_MESSAGE);
    }
    return claims;
  }

  return { sign, verify, jwks: () => ({ keys: [publicJwk] }), kid };
}
export type JwtSigner = Awaited<ReturnType<typeof createJwtSigner>>;

const optionalShortString = (v: unknown) => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= 64);

function checkShape(p: Record<string, unknown>): AccessClaims {
  const ok =
    Number.isSafeInteger(p.user_id) &&
    typeof p.username === 'string' &&
    Number.isSafeInteger(p.iat) &&
    Number.isSafeInteger(p.exp) &&
    Number.isSafeInteger(p.orig_iat) &&
    Number.isSafeInteger(p.ver) &&
    (p.pk === undefined || typeof p.pk === 'string') &&
    optionalShortString(p.sid) &&
    optionalShortString(p.org);
  if (!ok) throw new AppError('TOKEN_INVALID', TOKEN_INVALID_MESSAGE);
  return p as unknown as AccessClaims;
}
