import { createHash } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors.ts';
import type { SsoProviderRow } from '../db/schema.ts';
import type { OidcDiscovery, OidcMetadata } from './oidc-discovery.ts';

/** The protocol steps of the authorization code flow with PKCE (RFC 6749 section 4.1, RFC 7636, OpenID Connect Core 1.0 section 3.1). */

export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export function authorizationUrl(
  meta: OidcMetadata,
  provider: Pick<SsoProviderRow, 'client_id' | 'scopes'>,
  p: { redirectUri: string; state: string; nonce: string; challenge: string },
): string {
  const url = new URL(meta.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', provider.client_id);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', provider.scopes);
  url.searchParams.set('state', p.state);
  url.searchParams.set('nonce', p.nonce);
  url.searchParams.set('code_challenge', p.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

const tokenFailed = (reason: string) => new AppError('SSO_FAILED', `The IdP did not give a token for this sign-in: ${reason}.`);

/** RFC 6749 section 2.3.1: the id and secret are form-encoded before they go into Basic. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

/**
 * Trade the code for tokens at the token endpoint: client_secret_basic when
 * the IdP lists it (its default), else client_secret_post; a provider with
 * no secret is a public client and proves itself with PKCE alone.
 */
export async function exchangeCode(
  meta: OidcMetadata,
  provider: Pick<SsoProviderRow, 'client_id'>,
  secret: string | null,
  p: { code: string; redirectUri: string; verifier: string },
): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: p.code, redirect_uri: p.redirectUri, code_verifier: p.verifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (secret === null) body.set('client_id', provider.client_id);
  else if (meta.token_auth_methods.includes('client_secret_basic') || !meta.token_auth_methods.includes('client_secret_post')) {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(provider.client_id)}:${formEncode(secret)}`).toString('base64')}`;
  } else {
    body.set('client_id', provider.client_id);
    body.set('client_secret', secret);
  }
  let res: Response;
  try {
    res = await fetch(meta.token_endpoint, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw tokenFailed(
      `its token endpoint could not be reached (${(e as Error).name === 'TimeoutError' ? 'timeout' : ((e as { cause?: { code?: string } }).cause?.code ?? 'network error')})`,
    );
  }
  const answer = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    // The IdP's own error code (RFC 6749 section 5.2) says what went wrong; its description may echo input, so only the code is shown.
    const code = typeof answer?.error === 'string' && /^[\x20-\x7e]{1,60}$/.test(answer.error) ? answer.error : `HTTP ${res.status}`;
    throw tokenFailed(`its token endpoint answered ${code}`);
  }
  if (typeof answer?.id_token !== 'string') throw tokenFailed('the answer has no id_token');
  return answer.id_token;
}

/** The claims this server reads from a verified ID token. */
export interface IdClaims extends JWTPayload {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
}

const invalid = (reason: string) => new AppError('SSO_TOKEN_INVALID', `The IdP's ID token was refused: ${reason}.`);

/**
 * Verify an ID token (OpenID Connect Core 1.0 section 3.1.3.7): its
 * signature against the IdP's key set (refetched when an unknown `kid`
 * shows up, so rotated keys work), with the public-key algorithms discovery
 * lists only; `iss` the IdP's, `aud` our client id, `exp` and `iat`
 * present and current, `nonce` the one this sign-in sent, and `azp` our
 * client id wherever it is present or several audiences are named.
 */
export async function verifyIdToken(
  discovery: OidcDiscovery,
  meta: OidcMetadata,
  clientId: string,
  idToken: string,
  expectedNonce: string,
  now: Date,
): Promise<IdClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, discovery.keys(meta.jwks_uri), {
      issuer: meta.issuer,
      audience: clientId,
      algorithms: meta.signing_algorithms,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      clockTolerance: 60,
      maxTokenAge: '15m',
      currentDate: now,
    }));
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const reasons: Record<string, string> = {
      ERR_JWT_EXPIRED: 'it has expired',
      ERR_JWT_CLAIM_VALIDATION_FAILED: `its ${(e as { claim?: string }).claim ?? 'claims'} claim is not the one expected`,
      ERR_JOSE_ALG_NOT_ALLOWED: 'it is signed with an algorithm this IdP does not list as a public-key one',
      ERR_JWKS_NO_MATCHING_KEY: "no key in the IdP's key set matches its signature key",
      ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'its signature does not verify',
      ERR_JWKS_TIMEOUT: "the IdP's key set could not be fetched in time",
    };
    throw invalid(reasons[code] ?? 'it is not a valid signed token');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) throw invalid('its sub claim is missing');
  if (typeof payload.nonce !== 'string' || payload.nonce !== expectedNonce) throw invalid('its nonce is not the one this sign-in sent');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((payload.azp !== undefined || audiences.length > 1) && payload.azp !== clientId) throw invalid('its azp claim is not this server');
  return payload as IdClaims;
}
