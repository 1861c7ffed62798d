import type { Db } from '../db/database.ts';
import type { SsoProviderRow, SsoStateRow, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import { hmacSha256Hex, randomSecret } from '../lib/crypto.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { SettingsRepo } from '../settings/settings-repo.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { OidcDiscovery } from './oidc-discovery.ts';
import type { SecretBox } from './secret-box.ts';
import type { SsoRepo } from './sso-repo.ts';
import { authorizationUrl, exchangeCode, pkceChallenge, verifyIdToken } from './sso-flow.ts';
import { resolveAccount } from './sso-accounts.ts';
import { callbackPath, providerNotFound } from './sso-providers-service.ts';

/** A sign-in at the IdP must come back within this (the `state` row expires). */
export const STATE_SECONDS = 10 * 60;

export interface SsoLoginDeps {
  db: Db;
  repo: SsoRepo;
  users: UsersRepo;
  settings: SettingsRepo;
  discovery: OidcDiscovery;
  box: SecretBox;
  audit: AuditService;
  clock: Clock;
  secretKey: Buffer;
}

const badState = () =>
  new AppError(
    'SSO_STATE_INVALID',
    'This sign-in link is unknown, already used or expired (sign-ins at the IdP must finish within 10 minutes). Start the sign-in again.',
  );

/**
 * The browser side of single sign-on: `begin` stores a state (its keyed
 * hash only, with the PKCE verifier and the nonce) and names the IdP's
 * authorization URL; `complete` takes the state once, trades the code,
 * verifies the ID token and finds (or links, or makes) the account.
 */
export function createSsoLoginService(deps: SsoLoginDeps) {
  const { db, repo, users, settings, discovery, box, audit, clock } = deps;
  // Domain-separated from the other uses of `.env`'s general secret.
  const stateKey = Buffer.from(hmacSha256Hex(deps.secretKey, 'graphistry-admin/sso/state/v1'), 'hex');
  const hashState = (state: string) => hmacSha256Hex(stateKey, state);

  async function enabledSiteProvider(name: string): Promise<SsoProviderRow> {
    const row = /^[a-z0-9_-]{1,64}$/.test(name) ? await repo.byName(db.read, null, name) : undefined;
    if (!row || !bool(row.enabled)) throw providerNotFound(name, null);
    return row;
  }

  async function failure(provider: SsoProviderRow, ip: string | null, reason: string, extra: Record<string, unknown> = {}) {
    await audit.record(
      { userId: null, username: `sso:${provider.name}`, ip },
      {
        action: 'auth.login',
        outcome: 'failure',
        targetType: 'sso_provider',
        targetId: Number(provider.id),
        target: provider.name,
        detail: { method: 'sso', idp: provider.name, reason, ...extra },
      },
    );
  }

  return {
    /** Enabled site-wide IdPs, for the sign-in page's buttons. */
    async siteProviders(): Promise<Array<{ name: string }>> {
      return (await repo.list(db.read, null)).filter((r) => bool(r.enabled)).map((r) => ({ name: r.name }));
    },

    /** Start a sign-in at a site-wide IdP: the URL to send the browser to. */
    async begin(name: string, p: { baseUrl: string; next: string | null; kind: 'browser' | 'client' }): Promise<{ url: string; state: string }> {
      const provider = await enabledSiteProvider(name);
      const meta = await discovery.discover(provider.issuer);
      const state = randomSecret(32);
      const nonce = randomSecret(32);
      const verifier = randomSecret(48);
      const redirectUri = p.baseUrl + callbackPath(null, provider.name);
      const now = clock.now();
      await db.write
        .insertInto('sso_states')
        .values({
          state_hash: hashState(state),
          provider_id: provider.id,
          code_verifier: verifier,
          nonce,
          kind: p.kind,
          organization_id: null,
          redirect_uri: redirectUri,
          next_path: p.next,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + STATE_SECONDS * 1000).toISOString(),
          used_at: null,
          user_id: null,
          token: null,
          token_taken_at: null,
        })
        .execute();
      // Expired states are swept as new ones are made: the table holds the last few minutes' sign-ins.
      await db.write
        .deleteFrom('sso_states')
        .where('expires_at', '<', new Date(now.getTime() - STATE_SECONDS * 1000).toISOString())
        .execute();
      return { url: authorizationUrl(meta, provider, { redirectUri, state, nonce, challenge: pkceChallenge(verifier) }), state };
    },

    /**
     * The callback: the state taken once (a replay, an unknown or an expired
     * one is refused before anything else), the code traded, the ID token
     * verified, the account resolved. Every refusal past the state is audited
     * with the IdP's name.
     */
    async complete(name: string, p: { state: string; code: string; ip: string | null }): Promise<{ user: UserRow; next: string | null; state: SsoStateRow }> {
      const provider = await enabledSiteProvider(name);
      if (!p.state || p.state.length > 200 || !p.code || p.code.length > 4000) throw badState();
      const now = clock.now();
      const taken = await db.write
        .updateTable('sso_states')
        .set({ used_at: now.toISOString() })
        .where('state_hash', '=', hashState(p.state))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .where('provider_id', '=', provider.id)
        .returningAll()
        .executeTakeFirst();
      if (!taken) {
        await failure(provider, p.ip, 'state');
        throw badState();
      }
      let claims;
      let meta;
      try {
        meta = await discovery.discover(provider.issuer);
        const secret = provider.client_secret_enc === null ? null : box.open(provider.client_secret_enc);
        const idToken = await exchangeCode(meta, provider, secret, { code: p.code, redirectUri: taken.redirect_uri, verifier: taken.code_verifier });
        claims = await verifyIdToken(discovery, meta, provider.client_id, idToken, taken.nonce, clock.now());
      } catch (e) {
        await failure(provider, p.ip, (e as AppError).code ?? 'error');
        throw e;
      }
      const signup = (await settings.readAll(db.read)).IS_SSO_SIGNUP;
      const at = clock.now().toISOString();
      const issuer = meta.issuer;
      const found = await db.withAccountsLock(async (trx) => {
        const r = await resolveAccount(trx, { repo, users }, { provider, issuer, claims, signup, at });
        if (r.user && r.how === 'created') {
          await audit.record(
            { userId: null, username: `sso:${provider.name}`, ip: p.ip },
            { action: 'user.create', targetType: 'user', targetId: Number(r.user.id), target: r.user.username, detail: { method: 'sso', idp: provider.name } },
            trx,
          );
        }
        return r;
      });
      if (!found.user) {
        await failure(provider, p.ip, 'no_account');
        throw new AppError(
          'SSO_NO_ACCOUNT',
          `You signed in at ${provider.name}, but no account here is linked to it. An administrator must create your account or invite you first.`,
        );
      }
      const user = found.user;
      const actor = { userId: Number(user.id), username: user.username, ip: p.ip };
      if (!bool(user.is_active)) {
        await failure(provider, p.ip, 'inactive', { user: user.username });
        throw new AppError('SSO_ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator to enable it.');
      }
      await Promise.all([
        users.update(db.write, Number(user.id), { last_login: at }),
        audit.record(actor, {
          action: 'auth.login',
          targetType: 'user',
          targetId: Number(user.id),
          target: user.username,
          detail: { method: 'sso', idp: provider.name, account: found.how },
        }),
      ]);
      return { user, next: taken.next_path, state: taken };
    },
  };
}
export type SsoLoginService = ReturnType<typeof createSsoLoginService>;
