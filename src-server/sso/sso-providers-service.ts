import type { Db } from '../db/database.ts';
import type { Database, SsoProviderRow } from '../db/schema.ts';
import { bool } from '../db/schema.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../errors.ts';
import { parseInput } from '../lib/validate.ts';
import type { Actor, AuditService } from '../audit/audit-service.ts';
import type { PrivilegedWrites } from '../auth/privileged-writes.ts';
import type { OrgAccess } from '../orgs/org-access.ts';
import { ssoProviderInputSchema, ssoProviderNameSchema, ssoProviderPatchSchema, type SsoProvider, type SsoTestResult } from '../../src-shared/sso-schemas.ts';
import type { OidcDiscovery } from './oidc-discovery.ts';
import type { SecretBox } from './secret-box.ts';
import type { SsoRepo } from './sso-repo.ts';
import { authorizationUrl } from './sso-flow.ts';
import { callbackPath, issuerFor } from '../../src-shared/sso-templates.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** Where an IdP lives: the site (superusers) or an organization (its admins), named by its slug. */
export type SsoScope = { org: null } | { org: string };

export { callbackPath };

export const providerNotFound = (name: string, orgSlug: string | null) =>
  new AppError('SSO_PROVIDER_NOT_FOUND', orgSlug === null ? `No site-wide single sign-on IdP “${name}”.` : `No single sign-on IdP “${name}” in “${orgSlug}”.`);

export function toProvider(row: SsoProviderRow, orgSlug: string | null): SsoProvider {
  return {
    id: Number(row.id),
    organization: orgSlug,
    name: row.name,
    template: row.template,
    issuer: row.issuer,
    client_id: row.client_id,
    has_client_secret: row.client_secret_enc !== null,
    scopes: row.scopes,
    enabled: bool(row.enabled),
    link_verified_email: bool(row.link_verified_email),
    redirect_path: callbackPath(orgSlug, row.name),
    created_at: row.created_at,
    created_by: row.created_by,
  };
}

export interface SsoProvidersDeps {
  db: Pick<Db, 'read'>;
  repo: SsoRepo;
  access: OrgAccess;
  discovery: OidcDiscovery;
  box: SecretBox;
  audit: AuditService;
  writes: PrivilegedWrites;
  clock: Clock;
}

/**
 * IdP configurations: site-wide ones for superusers (the route's guard and
 * writes.run's re-check), an organization's for its admins (org-access).
 * The client secret is sealed on the way in and never leaves in an answer
 * or an audit row (only `client_secret_changed`).
 */
export function createSsoProvidersService(deps: SsoProvidersDeps) {
  const { db, repo, access, discovery, box, audit, writes, clock } = deps;

  /** The scope's organization id (null: the site), with the actor's right to manage it checked in `q`. */
  async function scopeOf(q: Q, actor: Actor, scope: SsoScope): Promise<{ orgId: number | null; slug: string | null }> {
    if (scope.org === null) {
      if (actor.userId !== null && actor.requires !== 'superuser')
        throw new AppError('SUPERUSER_REQUIRED', 'Site-wide single sign-on needs a superuser account.');
      return { orgId: null, slug: null };
    }
    const grant = await access.authorize(q, actor, scope.org, 'admin');
    return { orgId: grant.org.id, slug: grant.org.slug };
  }

  async function mustFind(q: Q, orgId: number | null, slug: string | null, rawName: string): Promise<SsoProviderRow> {
    const name = parseInput(ssoProviderNameSchema, rawName, 'params');
    const row = await repo.byName(q, orgId, name);
    if (!row) throw providerNotFound(name, slug);
    return row;
  }

  const auditTarget = (slug: string | null, name: string) => (slug === null ? name : `${slug}/${name}`);

  return {
    async list(actor: Actor, scope: SsoScope): Promise<SsoProvider[]> {
      const { orgId, slug } = await scopeOf(db.read, actor, scope);
      return (await repo.list(db.read, orgId)).map((r) => toProvider(r, slug));
    },
    async get(actor: Actor, scope: SsoScope, name: string): Promise<SsoProvider> {
      const { orgId, slug } = await scopeOf(db.read, actor, scope);
      return toProvider(await mustFind(db.read, orgId, slug, name), slug);
    },
    /** Add an IdP; its discovery document is read first, so a mistyped issuer is said at once and nothing is stored. */
    async add(actor: Actor, scope: SsoScope, raw: unknown): Promise<SsoProvider> {
      const parsed = parseInput(ssoProviderInputSchema, raw, 'body');
      const input = { ...parsed, issuer: issuerFor(parsed.template, parsed.issuer) };
      // Who may add here is said before the IdP is asked anything (and again under the lock below).
      await scopeOf(db.read, actor, scope);
      await discovery.discover(input.issuer);
      const sealed = input.client_secret ? box.seal(input.client_secret) : null;
      return writes.run(actor, async (trx) => {
        const { orgId, slug } = await scopeOf(trx, actor, scope);
        if (await repo.byName(trx, orgId, input.name)) {
          throw new AppError('SSO_PROVIDER_TAKEN', `An IdP named “${input.name}” already exists here.`, {
            fields: [{ field: 'name', message: 'already in use' }],
          });
        }
        const row = await trx
          .insertInto('sso_providers')
          .values({
            organization_id: orgId,
            name: input.name,
            template: input.template,
            issuer: input.issuer,
            client_id: input.client_id,
            client_secret_enc: sealed,
            scopes: input.scopes,
            enabled: repo.flag(input.enabled),
            link_verified_email: repo.flag(input.link_verified_email),
            created_at: clock.now().toISOString(),
            created_by: actor.username,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await audit.record(
          actor,
          {
            action: 'sso.provider.create',
            targetType: 'sso_provider',
            targetId: Number(row.id),
            target: auditTarget(slug, row.name),
            detail: {
              template: row.template,
              issuer: row.issuer,
              enabled: input.enabled,
              link_verified_email: input.link_verified_email,
              has_client_secret: sealed !== null,
            },
          },
          trx,
        );
        return toProvider(row, slug);
      });
    },
    async update(actor: Actor, scope: SsoScope, name: string, raw: unknown): Promise<SsoProvider> {
      const parsed = parseInput(ssoProviderPatchSchema, raw, 'body');
      const where = await scopeOf(db.read, actor, scope);
      const current = await mustFind(db.read, where.orgId, where.slug, name);
      // A new issuer is read as its template (the new one, or the one it has) fills it, as when added.
      const patch = parsed.issuer === undefined ? parsed : { ...parsed, issuer: issuerFor(parsed.template ?? current.template, parsed.issuer) };
      if (patch.issuer !== undefined) await discovery.discover(patch.issuer);
      const sealed = patch.client_secret === undefined ? undefined : patch.client_secret ? box.seal(patch.client_secret) : null;
      return writes.run(actor, async (trx) => {
        const { orgId, slug } = await scopeOf(trx, actor, scope);
        const before = await mustFind(trx, orgId, slug, name);
        const { client_secret: _secret, ...plain } = patch;
        const changes = {
          ...plain,
          ...(plain.enabled === undefined ? {} : { enabled: repo.flag(plain.enabled) }),
          ...(plain.link_verified_email === undefined ? {} : { link_verified_email: repo.flag(plain.link_verified_email) }),
          ...(sealed === undefined ? {} : { client_secret_enc: sealed }),
        };
        if (Object.keys(changes).length === 0) return toProvider(before, slug);
        const row = await trx.updateTable('sso_providers').set(changes).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
        if (before.issuer !== row.issuer) discovery.forget(before.issuer);
        await audit.record(
          actor,
          {
            action: 'sso.provider.update',
            targetType: 'sso_provider',
            targetId: Number(row.id),
            target: auditTarget(slug, row.name),
            detail: { changed: Object.keys(plain), ...plain, ...(sealed === undefined ? {} : { client_secret_changed: true }) },
          },
          trx,
        );
        return toProvider(row, slug);
      });
    },
    async remove(actor: Actor, scope: SsoScope, name: string): Promise<void> {
      await writes.run(actor, async (trx) => {
        const { orgId, slug } = await scopeOf(trx, actor, scope);
        const row = await mustFind(trx, orgId, slug, name);
        await trx.deleteFrom('sso_providers').where('id', '=', row.id).execute();
        await audit.record(
          actor,
          { action: 'sso.provider.delete', targetType: 'sso_provider', targetId: Number(row.id), target: auditTarget(slug, row.name) },
          trx,
        );
      });
    },
    /** "Test connection": discovery read again (not from the cache), the key set fetched, the authorization URL built with a throwaway state. */
    async test(actor: Actor, scope: SsoScope, name: string, baseUrl: string): Promise<SsoTestResult> {
      const { orgId, slug } = await scopeOf(db.read, actor, scope);
      const row = await mustFind(db.read, orgId, slug, name);
      discovery.forget(row.issuer);
      const meta = await discovery.discover(row.issuer);
      const keys = await discovery.fetchKeys(meta.jwks_uri);
      const url = authorizationUrl(meta, row, {
        redirectUri: baseUrl + callbackPath(slug, row.name),
        state: 'test',
        nonce: 'test',
        challenge: 'test',
      });
      return {
        ok: true,
        issuer: meta.issuer,
        authorization_endpoint: meta.authorization_endpoint,
        token_endpoint: meta.token_endpoint,
        jwks_uri: meta.jwks_uri,
        jwks_keys: keys,
        signing_algorithms: meta.signing_algorithms,
        authorization_url: url,
      };
    },
  };
}
export type SsoProvidersService = ReturnType<typeof createSsoProvidersService>;
