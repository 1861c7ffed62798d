import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './schema.ts';

/**
 * Single sign-on with OpenID Connect (Graphistry's "SSO: OIDC").
 *
 * - `sso_providers`: an IdP, site-wide (`organization_id` null) or an
 *   organization's. `name` is the `<idp>` of the callback paths, unique per
 *   scope (the site, or one organization): coalesce(organization_id, 0) makes
 *   the site one scope, since a unique index treats nulls as distinct. The
 *   client secret is stored encrypted (AES-256-GCM, key in `.env`: sso/secret-box.ts).
 * - `sso_identities`: an identity is (issuer, sub), linked to one user.
 * - `sso_states`: one sign-in in progress, keyed by the hash of its `state`
 *   (the value itself travels only through the browser), single-use
 *   (`used_at`) and expiring; `kind` 'client' is pygraphistry's flow, whose
 *   poll reads the JWT left in `token` once.
 */
export function sso(dialect: Dialect): Migration {
  const id = dialect === 'postgres' ? 'id serial primary key' : 'id integer primary key autoincrement';
  const bool = dialect === 'postgres' ? 'boolean' : 'integer';
  const no = dialect === 'postgres' ? 'false' : '0';
  const yes = dialect === 'postgres' ? 'true' : '1';
  return {
    async up(db: Kysely<unknown>) {
      const statements = [
        `create table sso_providers (
          ${id},
          organization_id integer references organizations(id) on delete cascade,
          name varchar(64) not null,
          template varchar(16) not null,
          issuer varchar(2000) not null,
          client_id varchar(500) not null,
          client_secret_enc text,
          scopes varchar(500) not null default 'openid email profile',
          enabled ${bool} not null default ${yes},
          link_verified_email ${bool} not null default ${no},
          created_at varchar(32) not null,
          created_by varchar(150),
          constraint sso_providers_template_ck check (template in ('okta', 'auth0', 'keycloak', 'entra', 'adfs', 'custom'))
        )`,
        'create unique index sso_providers_name_uq on sso_providers (coalesce(organization_id, 0), name)',
        `create table sso_identities (
          ${id},
          issuer varchar(2000) not null,
          sub varchar(255) not null,
          user_id integer not null references users(id) on delete cascade,
          provider_id integer references sso_providers(id) on delete set null,
          created_at varchar(32) not null,
          last_login_at varchar(32)
        )`,
        'create unique index sso_identities_iss_sub_uq on sso_identities (issuer, sub)',
        'create index sso_identities_user_idx on sso_identities (user_id)',
        `create table sso_states (
          state_hash varchar(64) primary key,
          provider_id integer not null references sso_providers(id) on delete cascade,
          code_verifier varchar(128) not null,
          nonce varchar(128) not null,
          kind varchar(8) not null,
          organization_id integer references organizations(id) on delete cascade,
          redirect_uri varchar(2000) not null,
          next_path varchar(2000),
          created_at varchar(32) not null,
          expires_at varchar(32) not null,
          used_at varchar(32),
          user_id integer references users(id) on delete cascade,
          token text,
          token_taken_at varchar(32),
          constraint sso_states_kind_ck check (kind in ('browser', 'client'))
        )`,
        'create index sso_states_expires_idx on sso_states (expires_at)',
      ];
      for (const s of statements) await sql.raw(s).execute(db);
    },
  };
}
