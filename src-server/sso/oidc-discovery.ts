import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../errors.ts';

/** What this server uses of an OpenID Provider's metadata (OpenID Connect Discovery 1.0, section 3). */
export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** Asymmetric ID-token algorithms the IdP lists; `none` and HS* never make it here. */
  signing_algorithms: string[];
  token_auth_methods: string[];
  code_challenge_methods: string[] | null;
}

/** The algorithms an ID token may be signed with: public-key ones only, so no `alg: none` and no HS/RS confusion with a public key used as an HMAC secret. */
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

const TIMEOUT_MS = 10_000;
const CACHE_MS = 5 * 60_000;

export const discoveryUrl = (issuer: string) => `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

const failed = (url: string, reason: string) => new AppError('SSO_DISCOVERY_FAILED', `Could not read the IdP's configuration at ${url}: ${reason}.`);

function httpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** Discovery documents (cached a few minutes per issuer) and one remote key set per jwks_uri, which refetches on an unknown `kid` (key rotation). */
export function createOidcDiscovery(deps: { now: () => number }) {
  const documents = new Map<string, { at: number; meta: OidcMetadata }>();
  const keySets = new Map<string, JWTVerifyGetKey>();

  async function fetchJson(url: string, what: (reason: string) => AppError): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw what(
        (e as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} seconds` : (cause?.code ?? cause?.message ?? (e as Error).message),
      );
    }
    if (!res.ok) throw what(`it answered HTTP ${res.status}`);
    try {
      const body = (await res.json()) as unknown;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error();
      return body as Record<string, unknown>;
    } catch {
      throw what('the answer is not a JSON object');
    }
  }

  return {
    /** The IdP's metadata, checked: its `issuer` must be the one configured (a trailing slash aside), its endpoints http(s). */
    async discover(issuer: string): Promise<OidcMetadata> {
      const cached = documents.get(issuer);
      if (cached && deps.now() - cached.at < CACHE_MS) return cached.meta;
      const url = discoveryUrl(issuer);
      const doc = await fetchJson(url, (reason) => failed(url, reason));
      const trim = (s: string) => s.replace(/\/+$/, '');
      if (typeof doc.issuer !== 'string' || trim(doc.issuer) !== trim(issuer)) {
        throw failed(url, `its issuer is ${JSON.stringify(doc.issuer ?? null)}, not ${JSON.stringify(issuer)}`);
      }
      for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
        if (!httpUrl(doc[key])) throw failed(url, `${key} is missing or not an http(s) address`);
      }
      const listed = Array.isArray(doc.id_token_signing_alg_values_supported) ? doc.id_token_signing_alg_values_supported.map(String) : ['RS256'];
      const signing = listed.filter((a) => ASYMMETRIC.has(a));
      if (signing.length === 0)
        throw failed(
          url,
          `it signs ID tokens only with ${listed.join(', ') || 'nothing'}; this server accepts public-key algorithms (RS256, ES256, PS256, EdDSA...)`,
        );
      const methods = doc.code_challenge_methods_supported;
      const meta: OidcMetadata = {
        issuer: doc.issuer,
        authorization_endpoint: doc.authorization_endpoint as string,
        token_endpoint: doc.token_endpoint as string,
        jwks_uri: doc.jwks_uri as string,
        signing_algorithms: signing,
        // RFC 8414: absent means client_secret_basic.
        token_auth_methods: Array.isArray(doc.token_endpoint_auth_methods_supported)
          ? doc.token_endpoint_auth_methods_supported.map(String)
          : ['client_secret_basic'],
        code_challenge_methods: Array.isArray(methods) ? methods.map(String) : null,
      };
      if (meta.code_challenge_methods && !meta.code_challenge_methods.includes('S256')) throw failed(url, 'it does not offer PKCE with S256');
      documents.set(issuer, { at: deps.now(), meta });
      return meta;
    },
    /** The key set at `jwks_uri`, fetched now (for "Test connection"): how many keys it holds. */
    async fetchKeys(jwksUri: string): Promise<number> {
      const doc = await fetchJson(jwksUri, (reason) => failed(jwksUri, reason));
      if (!Array.isArray(doc.keys)) throw failed(jwksUri, 'the answer has no "keys" list');
      return doc.keys.length;
    },
    keys(jwksUri: string): JWTVerifyGetKey {
      let set = keySets.get(jwksUri);
      if (!set) {
        set = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
        keySets.set(jwksUri, set);
      }
      return set;
    },
    forget(issuer: string): void {
      documents.delete(issuer);
    },
  };
}
export type OidcDiscovery = ReturnType<typeof createOidcDiscovery>;
