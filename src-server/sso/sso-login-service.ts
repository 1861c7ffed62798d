import type { Db } from '../db/database.ts';
import type { OrganizationRow, SsoProviderRow, SsoStateRow, UserRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import { hmacSha256Hex, randomSecret } from '../lib/crypto.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { SettingsRepo } from '../settings/settings-repo.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { OrgsRepo } from '../orgs/orgs-repo.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
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
  /** Organizations: an organization's IdPs, and who joins it at an organization's sign-in. */
  orgs: Pick<OrgsRepo, 'bySlug' | 'roleOf' | 'addMember'>;
  /** Mints the client flow's JWT, as a password sign-in does (with `org`, for that organization). */
  issue: (user: UserRow, org?: string) => Promise<{ token: string }>;
  /** Anonymous starts are counted per address, as failed sign-ins are. */
  throttle: Pick<LoginThrottle, 'ssoStarted'>;
}

/** How long pygraphistry's poll is held open waiting for the sign-in at the IdP (its own loop gives up after sso_timeout, 60 s by default). */
export const POLL_HOLD_MS = 50_000;
const POLL_STEP_MS = 250;

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

  /** The organization an organization-level sign-in names (null: site-wide). */
  async function orgOf(slug: string | null): Promise<OrganizationRow | null> {
    if (slug === null) return null;
    // Only a slug's characters are looked up (a NUL reached PostgreSQL from the organization's sign-in page).
    const org = /^[a-z0-9][a-z0-9_-]{0,49}$/i.test(slug) ? await deps.orgs.bySlug(db.read, slug.toLowerCase()) : undefined;
    if (!org) throw new AppError('ORG_NOT_FOUND', `Organization ${slug} is not found`);
    return org;
  }

  async function enabledProvider(org: OrganizationRow | null, name: string): Promise<SsoProviderRow> {
    const row = /^[a-z0-9_-]{1,64}$/.test(name) ? await repo.byName(db.read, org?.id ?? null, name) : undefined;
    if (!row || !bool(row.enabled)) throw providerNotFound(name, org?.slug ?? null);
    return row;
  }

  /** The IdP named, or with none named the scope's one enabled IdP (several: a sentence naming them). */
  async function chosenProvider(org: OrganizationRow | null, name: string | null): Promise<SsoProviderRow> {
    if (name !== null) return enabledProvider(org, name);
    const enabled = (await repo.list(db.read, org?.id ?? null)).filter((r) => bool(r.enabled));
    const where = org ? `“${org.slug}”` : 'this server (site-wide)';
    if (enabled.length === 0) throw new AppError('SSO_PROVIDER_NOT_FOUND', `No single sign-on IdP is enabled for ${where}.`);
    if (enabled.length > 1) {
      throw new AppError('SSO_IDP_REQUIRED', `Several single sign-on IdPs are enabled for ${where} (${enabled.map((r) => r.name).join(', ')}): name one.`);
    }
    return enabled[0]!;
  }

  /** Marks a refusal decided inside the accounts lock, so the audit row is written after the rollback. */
  class Refusal extends Error {
    constructor(
      readonly error: AppError,
      readonly reason: string,
      readonly extra: Record<string, unknown> = {},
    ) {
      super(error.message);
    }
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

  /** The stored client secret; sealed under another `.env` (its SSO key replaced), it cannot be read, which is said. */
  function openSecret(provider: SsoProviderRow): string {
    try {
      return box.open(provider.client_secret_enc!);
    } catch {
      throw new AppError(
        'SSO_FAILED',
        `The client secret of ${provider.name} cannot be read with this server's .env (its GRAPHISTRY_ADMIN_SSO_KEY is not the one it was stored with): an administrator must enter it again.`,
      );
    }
  }

  /** A pending sign-in stored (its state's keyed hash, the PKCE verifier, the nonce), and the IdP's authorization URL for it. */
  async function open(
    name: string,
    p: { baseUrl: string; next: string | null; kind: 'browser' | 'client'; org: string | null },
  ): Promise<{ url: string; state: string }> {
    const org = await orgOf(p.org);
    const provider = await enabledProvider(org, name);
    const meta = await discovery.discover(provider.issuer);
    const state = randomSecret(32);
    const nonce = randomSecret(32);
    const verifier = randomSecret(48);
    const redirectUri = p.baseUrl + callbackPath(org?.slug ?? null, provider.name);
    const now = clock.now();
    await db.write
      .insertInto('sso_states')
      .values({
        state_hash: hashState(state),
        provider_id: provider.id,
        code_verifier: verifier,
        nonce,
        kind: p.kind,
        organization_id: org?.id ?? null,
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
  }

  /** Anonymous starts, counted per address: past the limit, refused before anything is stored or fetched. */
  async function startAllowed(ip: string | null): Promise<void> {
    const wait = await deps.throttle.ssoStarted(ip);
    if (wait === 0) return;
    const minutes = Math.ceil(wait / 60);
    throw new AppError('THROTTLED', `Too many single sign-on starts from this address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
      headers: { 'Retry-After': String(wait) },
    });
  }

  /** The code traded, the ID token verified, the account found; a client sign-in's JWT left for its poll. */
  async function finish(provider: SsoProviderRow, org: OrganizationRow | null, taken: SsoStateRow, p: { code: string; ip: string | null }) {
    let claims;
    let meta;
    try {
      meta = await discovery.discover(provider.issuer);
      const secret = provider.client_secret_enc === null ? null : openSecret(provider);
      const idToken = await exchangeCode(meta, provider, secret, { code: p.code, redirectUri: taken.redirect_uri, verifier: taken.code_verifier });
      claims = await verifyIdToken(discovery, meta, provider.client_id, idToken, taken.nonce, clock.now());
    } catch (e) {
      await failure(provider, p.ip, (e as AppError).code ?? 'error');
      throw e;
    }
    const signup = (await settings.readAll(db.read)).IS_SSO_SIGNUP;
    const at = clock.now().toISOString();
    const issuer = meta.issuer;
    let found;
    try {
      // One transaction: an account made for this sign-in and its membership land together, or (refused) neither does.
      found = await db.withAccountsLock(async (trx) => {
        const r = await resolveAccount(trx, { repo, users }, { provider, issuer, claims, signup, at });
        if (r.how === 'admin_account') {
          throw new Refusal(
            new AppError(
              'SSO_LINK_ADMIN_REQUIRED',
              `You signed in at ${provider.name} with the email of an administrator account here, which single sign-on never takes over by email alone: sign in to that account with its password.`,
            ),
            'admin_account',
            { user: r.match.username },
          );
        }
        if (!r.user) {
          throw new Refusal(
            new AppError(
              'SSO_NO_ACCOUNT',
              `You signed in at ${provider.name}, but no account here is linked to it. An administrator must create your account or invite you first.`,
            ),
            'no_account',
          );
        }
        if (!bool(r.user.is_active)) {
          throw new Refusal(new AppError('SSO_ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator to enable it.'), 'inactive', {
            user: r.user.username,
          });
        }
        if (r.how === 'created') {
          await audit.record(
            { userId: null, username: `sso:${provider.name}`, ip: p.ip },
            { action: 'user.create', targetType: 'user', targetId: Number(r.user.id), target: r.user.username, detail: { method: 'sso', idp: provider.name } },
            trx,
          );
        }
        let joined = false;
        if (org && !(await deps.orgs.roleOf(trx, org.id, Number(r.user.id)))) {
          if (org.join_policy !== 'self_join') {
            throw new Refusal(
              new AppError(
                'SSO_ORG_INVITE_REQUIRED',
                `“${org.slug}” takes new members by invitation only: ask one of its admins for an invitation, then sign in again.`,
              ),
              'not_member',
              { user: r.user.username, org: org.slug },
            );
          }
          await deps.orgs.addMember(trx, { organization_id: org.id, user_id: Number(r.user.id), role: 'member', joined_at: at, invited_by: null });
          await audit.record(
            { userId: Number(r.user.id), username: r.user.username, ip: p.ip },
            {
              action: 'org.member.add',
              targetType: 'organization',
              targetId: org.id,
              target: org.slug,
              detail: { user: r.user.username, role: 'member', via: 'sso', idp: provider.name },
            },
            trx,
          );
          joined = true;
        }
        return { user: r.user, how: r.how, joined };
      });
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      await failure(provider, p.ip, e.reason, e.extra);
      throw e.error;
    }
    const user = found.user;
    const actor = { userId: Number(user.id), username: user.username, ip: p.ip };
    await Promise.all([
      users.update(db.write, Number(user.id), { last_login: at }),
      audit.record(actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: Number(user.id),
        target: user.username,
        detail: { method: 'sso', idp: provider.name, account: found.how, ...(org ? { org: org.slug, joined: found.joined } : {}) },
      }),
    ]);
    if (taken.kind === 'client') {
      const { token } = await deps.issue(user, org?.slug);
      await db.write
        .updateTable('sso_states')
        .set({ user_id: Number(user.id), token })
        .where('state_hash', '=', taken.state_hash)
        .execute();
    }
    return { user, next: taken.next_path, state: taken, org };
  }

  return {
    /** Enabled site-wide IdPs, for the sign-in page's buttons. */
    async siteProviders(): Promise<Array<{ name: string }>> {
      return (await repo.list(db.read, null)).filter((r) => bool(r.enabled)).map((r) => ({ name: r.name }));
    },

    /**
     * pygraphistry's `POST /api/v2/g/sso/oidc/login/`: with no IdP named, the
     * one enabled site-wide IdP (several: a sentence naming them).
     */
    async beginClient(name: string | null, p: { baseUrl: string; ip: string | null; org?: string | null }): Promise<{ url: string; state: string }> {
      await startAllowed(p.ip);
      const org = await orgOf(p.org ?? null);
      const provider = await chosenProvider(org, name);
      return open(provider.name, { baseUrl: p.baseUrl, next: null, kind: 'client', org: org?.slug ?? null });
    },

    /**
     * pygraphistry's poll, `GET /api/v2/o/sso/oidc/jwt/<state>/`: held open
     * until the sign-in at the IdP ends (or `holdMs`), then the JWT answered
     * once and cleared. Its loop raises on any answer without a token, so an
     * early "not yet" would end the sign-in: the poll waits instead. Read
     * from the database each step, so any server process may hold it.
     */
    async takeToken(state: string, opts: { holdMs?: number; signal?: AbortSignal } = {}): Promise<{ token: string; user: UserRow; orgSlug: string | null }> {
      const hash = hashState(state);
      const deadline = Date.now() + (opts.holdMs ?? POLL_HOLD_MS);
      for (;;) {
        const now = clock.now().toISOString();
        const row = await db.read.selectFrom('sso_states').selectAll().where('state_hash', '=', hash).executeTakeFirst();
        if (!row || row.kind !== 'client' || row.token_taken_at !== null || (row.token === null && row.expires_at <= now)) {
          throw new AppError(
            'SSO_STATE_INVALID',
            'This single sign-on is unknown, already finished, or it failed or expired at the IdP (see the browser for why). Sign in again.',
          );
        }
        if (row.token !== null && row.user_id !== null) {
          // Claimed once (RETURNING shows the row after the update, so the token is the one read above).
          const claimed = await db.write
            .updateTable('sso_states')
            .set({ token: null, token_taken_at: now })
            .where('state_hash', '=', hash)
            .where('token_taken_at', 'is', null)
            .returning('state_hash')
            .executeTakeFirst();
          const user = claimed ? await users.byId(db.read, row.user_id) : undefined;
          if (!claimed || !user) throw new AppError('SSO_STATE_INVALID', 'This single sign-on has already been finished by another request.');
          const org =
            row.organization_id === null
              ? undefined
              : await db.read.selectFrom('organizations').select('slug').where('id', '=', row.organization_id).executeTakeFirst();
          return { token: row.token, user, orgSlug: org?.slug ?? null };
        }
        if (Date.now() >= deadline || opts.signal?.aborted) {
          throw new AppError('SSO_PENDING', 'The sign-in at the IdP has not finished yet. Finish it in the browser, then ask for the token again.');
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_STEP_MS));
      }
    },

    /** Start a sign-in in the browser at an IdP (site-wide, or the organization's): the URL to send the browser to. */
    async begin(name: string, p: { baseUrl: string; next: string | null; ip: string | null; org?: string | null }): Promise<{ url: string; state: string }> {
      await startAllowed(p.ip);
      return open(name, { baseUrl: p.baseUrl, next: p.next, kind: 'browser', org: p.org ?? null });
    },

    /**
     * The callback: the state taken once (a replay, an unknown or an expired
     * one is refused before anything else), the code traded, the ID token
     * verified, the account resolved. Every refusal past the state is audited
     * with the IdP's name.
     */
    async complete(
      name: string,
      p: { state: string; code: string; ip: string | null; bound: boolean; org?: string | null },
    ): Promise<{ user: UserRow; next: string | null; state: SsoStateRow; org: OrganizationRow | null }> {
      const org = await orgOf(p.org ?? null);
      const provider = await enabledProvider(org, name);
      if (!p.state || p.state.length > 200 || !p.code || p.code.length > 4000) throw badState();
      // A browser sign-in finishes only in the browser that started it (its cookie holds the state). A client's
      // sign-in was started by pygraphistry, so no browser holds it: its poll, answered once, is what it is bound to.
      const pending = await db.read.selectFrom('sso_states').select('kind').where('state_hash', '=', hashState(p.state)).executeTakeFirst();
      if (pending?.kind !== 'client' && !p.bound) {
        await failure(provider, p.ip, 'not_this_browser');
        throw new AppError(
          'SSO_STATE_INVALID',
          'This sign-in was not started in this browser, or it has already been used. Start again from the sign-in page.',
        );
      }
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
      try {
        return await finish(provider, org, taken, p);
      } catch (e) {
        // The poll of a client sign-in that failed ends now, rather than when it times out.
        if (taken.kind === 'client')
          await db.write.updateTable('sso_states').set({ expires_at: clock.now().toISOString() }).where('state_hash', '=', taken.state_hash).execute();
        throw e;
      }
    },
  };
}
export type SsoLoginService = ReturnType<typeof createSsoLoginService>;
