import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** SQLite (a file in the data dir, the default) or PostgreSQL (several server processes on one database). */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Table types. Timestamps are ISO-8601 UTC strings on both dialects so one
 * repo code serves SQLite and PostgreSQL; booleans come back as 0/1 from
 * SQLite and true/false from PostgreSQL, so repos map rows through `bool()`.
 */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  username_lower: string;
  /** TR39 skeleton of the folded name (username-identity.ts): unique, so look-alike names cannot both exist. Null only for rows that already clashed when it was introduced. */
  username_skeleton: string | null;
  /** TR39 skeleton of the name as written, not folded (`aIice` reads as `alice`); indexed, not unique; filled for existing rows by migration 0008. */
  username_skeleton_cased: string | null;
  email: string | null;
  email_lower: string | null;
  password_hash: string;
  is_active: boolean | number;
  is_staff: boolean | number;
  is_superuser: boolean | number;
  /** Bumped when a password changes or the user is disabled: ends every JWT issued before. */
  auth_epoch: number;
  date_joined: string;
  last_login: string | null;
  /** An administrator asked for a new password: password sign-in is held until the user changes it (migration 0013). */
  must_change_password: Generated<boolean | number>;
}

export interface PersonalKeysTable {
  id: string;
  user_id: number;
  name: string;
  secret_hash: string;
  secret_prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target: string | null;
  client_ip: string | null;
  outcome: string;
  detail: string | null;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a leaked database row cannot be replayed as a cookie. */
  id_hash: string;
  user_id: number;
  /** The user's auth epoch when the session began; a password change elsewhere ends it. */
  auth_epoch: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
}

export interface InvitationsTable {
  id: string;
  token_hash: string;
  note: string | null;
  grant_staff: boolean | number;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: number | null;
  revoked_at: string | null;
  /** The organization the invitation joins (migration 0011); null for a site invitation. */
  organization_id: number | null;
  /** The role it gives in that organization; null for a site invitation. */
  org_role: 'admin' | 'member' | null;
  /** The account that made it (`created_by` keeps its name); null when made from the command line or once that account is deleted. */
  created_by_id: number | null;
}

/** A named organization (migration 0011); every user also has a personal one, their username, with no row. */
export interface OrganizationsTable {
  id: Generated<number>;
  /** Lower-case ASCII, unique, immutable, never equal to a username. */
  slug: string;
  name: string;
  join_policy: 'invite_only' | 'self_join';
  created_at: string;
  /** The actor's name, as invitations.created_by. */
  created_by: string | null;
}

export interface OrganizationMembersTable {
  organization_id: number;
  user_id: number;
  role: 'admin' | 'member';
  joined_at: string;
  /** Who invited or added them; null from the command line, for the creator, or once that account is deleted. */
  invited_by: number | null;
}

/** The organization a token's session (`sid`) switched to; null organization_id: back to the personal one. */
export interface OrgSessionsTable {
  sid: string;
  user_id: number;
  organization_id: number | null;
  switched_at: string;
  expires_at: string;
}

/** An OpenID Connect IdP (migration 0012): site-wide when organization_id is null. */
export interface SsoProvidersTable {
  id: Generated<number>;
  organization_id: number | null;
  /** The `<idp>` of the callback paths: unique per scope, URL-safe. */
  name: string;
  template: 'okta' | 'auth0' | 'keycloak' | 'entra' | 'adfs' | 'custom';
  issuer: string;
  client_id: string;
  /** AES-256-GCM under the `.env` SSO key (sso/secret-box.ts); null for a public client. */
  client_secret_enc: string | null;
  scopes: string;
  enabled: boolean | number;
  link_verified_email: boolean | number;
  created_at: string;
  created_by: string | null;
}

/** An IdP identity, (issuer, sub), linked to one user. */
export interface SsoIdentitiesTable {
  id: Generated<number>;
  issuer: string;
  sub: string;
  user_id: number;
  provider_id: number | null;
  created_at: string;
  last_login_at: string | null;
}

/** A sign-in in progress at an IdP, keyed by the hash of its `state`: single-use and expiring. */
export interface SsoStatesTable {
  state_hash: string;
  provider_id: number;
  code_verifier: string;
  nonce: string;
  kind: 'browser' | 'client';
  organization_id: number | null;
  /** The callback address sent at the start: the token request must send the same. */
  redirect_uri: string;
  next_path: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** The client flow: who signed in, and the JWT its poll takes once. */
  user_id: number | null;
  token: string | null;
  token_taken_at: string | null;
}

/** One row (id 1): moved by triggers whenever access can have been taken away (see migration 0005). */
export interface AuthRevisionTable {
  id: number;
  revision: number;
}

/** One row (id 1): revisions of the admin list's orderings, moved by triggers (see migration 0007). */
export interface UserListRevisionTable {
  id: number;
  row_set: number;
  username_lower: number;
  email_lower: number;
  date_joined: number;
  last_login: number;
  is_active: number;
  is_staff: number;
  is_superuser: number;
}

/** Failed-credential counters in fixed windows, shared by every process on the database (see auth/throttle.ts). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  /** When the window that began with the first failure ends. */
  reset_at: string;
}

/** A set-password link (migration 0014): the keyed hash of its token, whose account, and when it was used. */
export interface PasswordLinksTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface Database {
  users: UsersTable;
  personal_keys: PersonalKeysTable;
  settings: SettingsTable;
  meta: MetaTable;
  audit_log: AuditTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  auth_revision: AuthRevisionTable;
  user_list_revision: UserListRevisionTable;
  login_throttle: LoginThrottleTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  org_sessions: OrgSessionsTable;
  sso_providers: SsoProvidersTable;
  sso_identities: SsoIdentitiesTable;
  sso_states: SsoStatesTable;
  password_links: PasswordLinksTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserRowUpdate = Updateable<UsersTable>;
export type KeyRow = Selectable<PersonalKeysTable>;
export type AuditRow = Selectable<AuditTable>;
export type SessionRow = Selectable<SessionsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type OrgMemberRow = Selectable<OrganizationMembersTable>;
export type OrgSessionRow = Selectable<OrgSessionsTable>;
export type SsoProviderRow = Selectable<SsoProvidersTable>;
export type SsoStateRow = Selectable<SsoStatesTable>;
export type PasswordLinkRow = Selectable<PasswordLinksTable>;

export function bool(v: boolean | number | null | undefined): boolean {
  return v === true || v === 1;
}
