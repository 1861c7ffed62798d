import type {
  AuditEntry,
  BackendCapabilities,
  BulkActiveResult,
  InvitationView,
  JoinPolicy,
  MatchingUserIds,
  Membership,
  NewOrgUser,
  NewPersonalKey,
  OrgInvitation,
  OrgMember,
  OrgPage,
  OrgQuery,
  OrgRole,
  Organization,
  Page,
  PersonalKey,
  RegistrationState,
  SettingView,
  User,
  UserPage,
  UserQuery,
  UsersRead,
} from '../src-shared/domain.ts';
import type { BundledServerStatus, ExportedFile, Profile } from '../src-shared/console-api.ts';
import type { LifecycleAction } from '../src-shared/lifecycle-schemas.ts';
import type { UserExportFormat } from '../src-shared/user-export.ts';

/** The audit log's filters: an action, an actor, the user an entry is about. */
export interface AuditQuery {
  action?: string;
  actor?: string;
  target_user_id?: number;
}
import type { UserInput, UserPatch } from '../src-shared/user-schemas.ts';
import type { SsoProvider, SsoProviderInput, SsoProviderPatch, SsoTestResult } from '../src-shared/sso-schemas.ts';
import type { ImportReport, UserImportBody } from '../src-shared/user-import-schemas.ts';
import type { ImportJournal } from './bulk/import-journal.ts';

/**
 * The main process's privileged services, as interfaces. Each is a plain Node
 * module (no Electron import), so all of them run and are tested without the
 * Electron binary; the Electron glue only wires them to IPC.
 * Every method throws `ConsoleFailure` (src-shared/console-errors.ts) on failure.
 */

/**
 * How a backend authenticates: a short-lived JWT (right after a password
 * sign-in) or a personal key (the embedded server); an admin password (a
 * Graphistry's Django admin, which has no other way in). The password is
 * asked for whenever a session must be opened (first use, and again when the
 * admin site's session has expired): the console reads it from the keychain
 * each time rather than keeping it; null means "sign in by hand".
 */
export type BackendAuth =
  | { type: 'bearer'; token: string }
  | { type: 'personal_key'; id: string; secret: string }
  | {
      type: 'admin_password';
      username: string;
      password: () => Promise<string | null>;
      /** A one-time code typed with the password, where the admin site asks for one (django-otp): used for the first sign-in only, never kept. */
      otp?: string;
    };

/** A new user and a user's edit, as the bridge's schemas parse them (src-shared/user-schemas.ts). */
export type { UserInput, UserPatch };

/** A new organization (`admin_user_id`: its first admin; the server's default is the caller) and an organization's edit. */
export interface OrgInput {
  slug: string;
  name?: string | undefined;
  join_policy?: JoinPolicy | undefined;
  admin_user_id?: number | undefined;
}
export interface OrgPatch {
  name?: string | undefined;
  join_policy?: JoinPolicy | undefined;
}
/** A new organization invitation, as the bridge's schema parses it (src-shared/org-schemas.ts); what is left out, the server chooses. */
export interface OrgInvitationInput {
  role?: OrgRole | undefined;
  expires_in_hours?: number | undefined;
  note?: string | null | undefined;
}

/**
 * One server the console manages. `EmbeddedBackend` speaks the embedded
 * server's REST API; a remote Graphistry backend (Django admin) implements the
 * same interface and throws UNSUPPORTED for what it cannot do.
 */
export interface Backend {
  readonly kind: 'embedded' | 'remote-graphistry';
  readonly baseUrl: string;
  /** A copy of this backend that sends the given credentials (for a Graphistry, one admin-site session). */
  withAuth(auth: BackendAuth): Backend;
  /** What this server offers; the screens say plainly what it does not. */
  capabilities(): Promise<BackendCapabilities>;
  /** Ends the server-side session where there is one (a Django admin's); the embedded server has none. */
  endSession(): Promise<void>;
  // Anonymous
  health(): Promise<void>;
  registrationState(): Promise<RegistrationState>;
  signUp(input: {
    username: string;
    password: string;
    email?: string | null;
    setup_token?: string;
  }): Promise<{ user: User; key: NewPersonalKey; token: string }>;
  /**
   * Password to a JWT. `requireSuperuser` (the console's own sign-in): a server
   * that can tell refuses anyone else before it counts a login.
   */
  login(username: string, password: string, opts?: { requireSuperuser?: boolean }): Promise<{ token: string }>;
  // Authenticated
  me(): Promise<User>;
  /** A page of users; a field the server's list does not show is named in `unlisted` and null in the rows (a Graphistry's admin), never guessed. */
  listUsers(query: UserQuery): Promise<UserPage>;
  /** The ids of every user the query matches (its page and page size ignored), in its order, at most `limit` of them; `count` is exact. */
  listUserIds(query: Omit<UserQuery, 'page' | 'page_size'>, limit: number): Promise<MatchingUserIds>;
  /**
   * Activate or deactivate these users (at most 500 per call), each on its
   * own: one refusal (the last active superuser) does not stop the rest. A
   * user already in that state is reported `unchanged` and not written.
   */
  setUsersActive(ids: readonly number[], active: boolean): Promise<BulkActiveResult>;
  /** One lifecycle action on these users (at most 500 per call), each on its own (capability `lifecycle`). */
  userLifecycle(ids: readonly number[], action: LifecycleAction, opts: { revokeKeys?: boolean }): Promise<BulkActiveResult>;
  /** Every user the query matches, as a file (capability `user_export`). */
  exportUsers(query: Omit<UserQuery, 'page' | 'page_size'>, format: UserExportFormat): Promise<ExportedFile>;
  getUser(id: number): Promise<User>;
  /** These users whole (at most GET_USERS_MAX), each as its own page on the server shows it: what a list left `unlisted`. */
  getUsers(ids: readonly number[]): Promise<UsersRead>;
  /** `key` is the new user's first API key where the server makes one with the account (null for a Graphistry). */
  createUser(input: UserInput): Promise<{ user: User; key: NewPersonalKey | null }>;
  updateUser(id: number, patch: UserPatch): Promise<User>;
  deleteUser(id: number): Promise<void>;
  setUserPassword(id: number, password: string): Promise<User>;
  listKeys(user: 'me' | number): Promise<PersonalKey[]>;
  createKey(user: 'me' | number, input: { name: string; expires_at?: string | null }): Promise<NewPersonalKey>;
  revokeKey(user: 'me' | number, keyId: string): Promise<PersonalKey>;
  mintJwt(): Promise<{ token: string; expires_at: string }>;
  getSettings(): Promise<SettingView[]>;
  setSettings(changes: Record<string, boolean | string>): Promise<SettingView[]>;
  listInvitations(status: 'pending' | 'all'): Promise<InvitationView[]>;
  /** `url`: the whole link when the server knows its public address, else null (the caller puts the address it uses in front of `path`). */
  createInvitation(input: {
    expires_in_hours?: number;
    grant_staff?: boolean;
    note?: string | null;
  }): Promise<{ invitation: InvitationView; token: string; path: string; url: string | null }>;
  revokeInvitation(id: string): Promise<InvitationView>;
  listAudit(query: AuditQuery & { page?: number; page_size?: number }): Promise<Page<AuditEntry>>;
  /** The audit log as a CSV file (capability `audit`). */
  exportAudit(query: AuditQuery): Promise<ExportedFile>;
  // Organizations: `organizations` reads them, `org_writes` changes them (capabilities say which a server offers).
  // `org` is an Organization's `ref`.
  listOrganizations(query: OrgQuery): Promise<OrgPage>;
  getOrganization(org: string): Promise<Organization>;
  createOrganization(input: OrgInput): Promise<Organization>;
  updateOrganization(org: string, patch: OrgPatch): Promise<Organization>;
  deleteOrganization(org: string): Promise<void>;
  listOrgMembers(org: string, query: { search?: string; page?: number; page_size?: number }): Promise<Page<OrgMember>>;
  addOrgMember(org: string, userId: number, role: OrgRole): Promise<OrgMember>;
  setOrgMemberRole(org: string, userId: number, role: OrgRole): Promise<OrgMember>;
  removeOrgMember(org: string, userId: number): Promise<void>;
  /** A user made in the organization in one step (user, first key, membership: all or nothing); `key` null where the server makes none. */
  createOrgUser(org: string, input: UserInput, role: OrgRole): Promise<NewOrgUser>;
  /** The organizations a user is in. */
  listUserMemberships(userId: number): Promise<Membership[]>;
  /** An organization's invitation links: pending ones, or all (used, expired and revoked too), newest first. */
  listOrgInvitations(org: string, status: 'pending' | 'all'): Promise<OrgInvitation[]>;
  /**
   * A link that lets one signed-in person join the organization with `role`
   * (a new person signs up on its page first). `url`: the whole link when
   * the server knows its public address, else null (the caller puts the
   * address it uses in front of `path`).
   */
  createOrgInvitation(org: string, input: OrgInvitationInput): Promise<{ invitation: OrgInvitation; token: string; path: string; url: string | null }>;
  revokeOrgInvitation(org: string, id: string): Promise<OrgInvitation>;
  // Single sign-on IdPs (`sso`): `org` null for the site-wide ones, else an Organization's `ref`. No answer carries a client secret.
  listSsoProviders(org: string | null): Promise<SsoProvider[]>;
  addSsoProvider(org: string | null, input: SsoProviderInput): Promise<SsoProvider>;
  updateSsoProvider(org: string | null, name: string, patch: SsoProviderPatch): Promise<SsoProvider>;
  removeSsoProvider(org: string | null, name: string): Promise<void>;
  /** "Test connection": the IdP's discovery read, its key set fetched, an authorization URL built; its failure is the server's sentence. */
  testSsoProvider(org: string | null, name: string): Promise<SsoTestResult>;
  /**
   * Check (`dry_run`) or import a file of users. The bundled server does it in
   * one call (one transaction unless `continue_on_error`); a Graphistry one row
   * at a time, reporting progress, stopping between rows on `signal`, and
   * recording each row in `journal`.
   */
  importUsers(input: UserImportBody, run?: ImportRunHooks): Promise<ImportReport>;
}

/** How the caller watches and stops an import that goes one row at a time. */
export interface ImportRunHooks {
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; written: number; phase: 'checking' | 'writing' }) => void;
  journal?: ImportJournal;
}

/**
 * What the keychain holds for a profile. Never written anywhere else. The
 * embedded server: a personal key made for this machine. A Graphistry: the
 * admin's password, since Django's admin site has no other way in.
 */
export type StoredCredential =
  { kind: 'personal_key'; id: string; secret: string; username: string } | { kind: 'password'; username: string; password: string };

export interface Vault {
  /** Whether an OS keychain answers here; `detail` says why not. */
  status(): Promise<{ available: boolean; detail: string | null }>;
  get(profileId: string): Promise<StoredCredential | null>;
  set(profileId: string, credential: StoredCredential): Promise<void>;
  delete(profileId: string): Promise<void>;
}

export interface ProfileInput {
  id?: string;
  name: string;
  kind: 'bundled' | 'remote';
  url?: string;
  username?: string;
  admin_path?: string;
  ca_file?: string;
  pinned_certificate?: string;
}

/** Named connections, as JSON in the app's data folder; never a secret in them. */
export interface ProfilesStore {
  list(): Promise<Array<Omit<Profile, 'has_credential'>>>;
  get(id: string): Promise<Omit<Profile, 'has_credential'> | null>;
  save(input: ProfileInput): Promise<Omit<Profile, 'has_credential'>>;
  remove(id: string): Promise<void>;
  touch(id: string): Promise<void>;
}

/** The embedded server as a child process of the console. */
export interface BundledServer {
  start(): Promise<BundledServerStatus>;
  stop(): Promise<BundledServerStatus>;
  status(): BundledServerStatus;
  /** The last lines of its output (stdout and stderr), oldest first. */
  log(lines?: number): string[];
  /** Called when the state changes (crash included). */
  onChange(listener: (status: BundledServerStatus) => void): () => void;
}

/** The OS clipboard (Electron's in the app; absent in web mode, where the page copies). */
export interface Clipboard {
  readText(): string;
  writeText(text: string): void;
}

import type { ConsoleMethod, ConsoleResults, ParsedParams } from '../src-shared/console-api.ts';

/**
 * The main process's implementation of the bridge: one handler per method,
 * receiving parameters already validated by the method's zod schema. A
 * missing handler is a compile error.
 */
export type ConsoleHandlers = {
  [M in ConsoleMethod]: (params: ParsedParams<M>) => Promise<ConsoleResults[M]>;
};
