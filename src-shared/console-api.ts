import { z } from 'zod';
import {
  SIGN_IN_METHODS,
  optionalEmailSchema,
  passwordSchema,
  signInUsernameSchema,
  usernameSchema,
  userInputSchema,
  userPatchSchema,
} from './user-schemas.ts';
import { ssoProviderInputSchema, ssoProviderNameSchema, ssoProviderPatchSchema, type SsoProvider, type SsoTestResult } from './sso-schemas.ts';
import { orgInputSchema, orgInvitationInputSchema, orgOrderingSchema, orgPatchSchema, orgRoleSchema } from './org-schemas.ts';
import type { ConsoleError, Result } from './console-errors.ts';
import { IMPORT_MODES, ON_EXISTING, type ImportReport } from './user-import-schemas.ts';
import { IMPORT_MAX_BYTES } from './user-import-text.ts';
import type { JournalReportView } from './import-journal-view.ts';
import type {
  AuditEntry,
  BackendCapabilities,
  BulkActiveResult,
  InvitationView,
  MatchingUserIds,
  Membership,
  NewOrgUser,
  NewPersonalKey,
  OrgInvitation,
  OrgMember,
  OrgPage,
  Organization,
  Page,
  PersonalKey,
  RegistrationState,
  SettingView,
  User,
  UserPage,
  UsersRead,
} from './domain.ts';
import { BULK_MAX_USERS, GET_USERS_MAX, USER_ORDERING_FIELDS } from './domain.ts';
import { LIFECYCLE_ACTIONS } from './lifecycle-schemas.ts';
import { USER_EXPORT_FORMATS } from './user-export.ts';

/**
 * The console's one bridge between the renderer and the main process.
 *
 * Every method takes one argument object, validated by its zod schema in the
 * main process (the renderer is never trusted), and resolves to a `Result`.
 * Adding a method: add its schema to `consoleParams` and its result type to
 * `ConsoleResults`; the compiler then points at every place that must handle
 * it (main's handler table, the preload, web mode).
 */

const id = z.number().int().min(1).max(2_147_483_647);
const keyId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'is not a key id');
const profileId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a profile id');
const text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const remoteUrl = z
  .string()
  .max(2000)
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://');
const none = z.strictObject({});
/** Where a Graphistry's Django admin lives (its DJANGO_ADMIN_URL); the profiles store adds the slashes. */
const adminPath = z
  .string()
  .max(200)
  .regex(/^\/?([A-Za-z0-9._~-]+\/)*[A-Za-z0-9._~-]*$/, 'must be a path such as /admin/')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments');
/** SHA-256 fingerprint of a certificate, as Node and browsers print it. */
const fingerprint = z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint (32 hex pairs separated by colons)');
const userTarget = z.union([z.literal('me'), id]);
/** An organization as calls name it (`Organization.ref`): a slug, or a Graphistry admin's key (`pk-17`). */
const orgRef = z.string().regex(/^[A-Za-z0-9_.@+-]{1,150}$/, 'is not an organization');
const invitationId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'is not an invitation id');
const page = z.number().int().min(1).max(1_000_000).optional();
const importRunId = z.string().regex(/^[0-9a-f]{24}$/, 'is not an import run');
const pageSize = z.number().int().min(1).max(500).optional();
/**
 * The connection a call was prepared for: `ConnectionStatus.connection` as
 * the screen had it when it loaded what the admin acted on (a profile id and
 * that sign-in's own random part). Main refuses the call with
 * STALE_CONNECTION when the console is connected elsewhere by then, so an
 * action can never land on another server's user with the same id.
 */
export const connectionRef = z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[0-9a-f]{16}$/, 'is not a connection id');

export const profileInput = z.strictObject({
  id: profileId.optional(),
  name: text(100).min(1, 'is required'),
  kind: z.enum(['bundled', 'remote']),
  /** Remote Graphistry (or another embedded server) base URL; absent for the bundled server. */
  url: remoteUrl.optional(),
  username: signInUsernameSchema.optional(),
  /** A Graphistry's admin site prefix; default /admin/. */
  admin_path: adminPath.optional(),
  /** A PEM file of the certificate authority to trust for this server only. */
  ca_file: text(4096).min(1).optional(),
  /** "Allow this self-signed certificate": its fingerprint, trusted for this server only. */
  pinned_certificate: fingerprint.optional(),
});

/** Which users: the Users manager's search, filters and ordering. */
export const userFilter = z.strictObject({
  search: text(150).optional(),
  is_staff: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
  is_active: z.boolean().optional(),
  sign_in: z.enum(SIGN_IN_METHODS).optional(),
  never_signed_in: z.boolean().optional(),
  inactive_days: z.number().int().min(1).max(36_500).optional(),
  joined_before: z
    .string()
    .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a day as YYYY-MM-DD')
    .optional(),
  ordering: z.enum(USER_ORDERING_FIELDS.flatMap((f) => [f, `-${f}`]) as [string, ...string[]]).optional(),
});

export const userQuery = userFilter.extend({
  page: z.number().int().min(1).max(1_000_000).optional(),
  page_size: z.number().int().min(1).max(500).optional(),
});

/** A method that acts on (or reads from) the connected server: its parameters name the connection they were prepared for. */
const onServer = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ connection: connectionRef, ...shape });

export const consoleParams = {
  // Profiles and connection
  listProfiles: none,
  saveProfile: profileInput,
  deleteProfile: z.strictObject({ profileId }),
  connect: z.strictObject({ profileId }),
  disconnect: none,
  connectionStatus: none,
  /** Sign in with a password once; the console then keeps a personal key (bundled) in the keychain, never the password. */
  /** `otp`: a one-time code, where a Graphistry's admin site asks for one after the password (OTP_REQUIRED); used for that sign-in only, never kept. */
  signIn: z.strictObject({
    profileId,
    username: signInUsernameSchema,
    password: passwordSchema,
    otp: z
      .string()
      .regex(/^[A-Za-z0-9]{4,32}$/, 'is not a one-time code')
      .optional(),
  }),
  signOut: z.strictObject({ profileId }),
  /** The certificate a server presents, to show before the admin chooses to trust it. */
  inspectCertificate: z.strictObject({ url: remoteUrl }),
  // The bundled server
  startBundledServer: none,
  stopBundledServer: none,
  bundledServerStatus: none,
  bundledServerLog: z.strictObject({ lines: z.number().int().min(1).max(5000).optional() }),
  /** Where the bundled server's backups go and the latest one. */
  bundledServerBackups: none,
  /** A backup of the bundled server now (safe while it serves): its database and `.env` secrets, into the backups folder. */
  backUpBundledServer: none,
  registrationState: z.strictObject({ profileId }),
  signUpFirstAdmin: z.strictObject({
    profileId,
    username: usernameSchema,
    password: passwordSchema,
    email: optionalEmailSchema,
    setup_token: text(256).optional(),
  }),
  // Users
  listUsers: userQuery.extend({ connection: connectionRef }),
  /** Every matching user's id (at most `limit`), for a bulk action over "all N matching". */
  listUserIds: onServer({ filter: userFilter, limit: z.number().int().min(1).max(BULK_MAX_USERS).optional() }),
  getUser: onServer({ id }),
  /** Users read whole, for the rows whose fields a list left `unlisted` (a Graphistry reads a page per user: the screen asks a few at a time, with progress). */
  getUsers: onServer({ ids: z.array(id).min(1).max(GET_USERS_MAX) }),
  createUser: onServer(userInputSchema.shape),
  updateUser: onServer({ id, patch: userPatchSchema }),
  deleteUser: onServer({ id }),
  setUserPassword: onServer({ id, password: passwordSchema }),
  setUsersActive: onServer({ ids: z.array(id).min(1).max(500), active: z.boolean() }),
  /** Sign out everywhere (keys too with `revoke_keys`), require a password change, or revoke every key: each user on its own. */
  userLifecycle: onServer({
    ids: z.array(id).min(1).max(500),
    action: z.enum(LIFECYCLE_ACTIONS),
    revoke_keys: z.boolean().optional(),
  }),
  /** Every user the filter matches, as a file's text (CSV or JSON; no secrets). */
  exportUsers: onServer({ filter: userFilter, format: z.enum(USER_EXPORT_FORMATS) }),
  // Personal keys ('me' is the signed-in admin)
  listKeys: onServer({ user: userTarget }),
  createKey: onServer({ user: userTarget, name: text(100).min(1, 'is required'), expires_at: z.iso.datetime({ offset: true }).nullable().optional() }),
  revokeKey: onServer({ user: userTarget, keyId }),
  mintJwt: onServer({}),
  // Settings and invitations
  getSettings: onServer({}),
  setSettings: onServer({ changes: z.record(z.string().max(64), z.union([z.boolean(), text(2000)])) }),
  listInvitations: onServer({ status: z.enum(['pending', 'all']).optional() }),
  createInvitation: onServer({
    expires_in_hours: z.number().int().min(1).max(720).optional(),
    grant_staff: z.boolean().optional(),
    note: text(254).nullable().optional(),
  }),
  revokeInvitation: onServer({ id: invitationId }),
  // Organizations
  listOrganizations: onServer({ search: text(150).optional(), ordering: orgOrderingSchema.optional(), page, page_size: pageSize }),
  getOrganization: onServer({ org: orgRef }),
  /** `admin_user_id`: its first admin (default: the signed-in admin). */
  createOrganization: onServer({ ...orgInputSchema.shape, admin_user_id: id.optional() }),
  updateOrganization: onServer({ org: orgRef, patch: orgPatchSchema }),
  deleteOrganization: onServer({ org: orgRef }),
  listOrgMembers: onServer({ org: orgRef, search: text(150).optional(), page, page_size: pageSize }),
  addOrgMember: onServer({ org: orgRef, user_id: id, role: orgRoleSchema }),
  setOrgMemberRole: onServer({ org: orgRef, user_id: id, role: orgRoleSchema }),
  removeOrgMember: onServer({ org: orgRef, user_id: id }),
  /** A new user made in the organization at once (the user, its first key, the membership). */
  createOrgUser: onServer({ org: orgRef, user: userInputSchema, role: orgRoleSchema }),
  listUserMemberships: onServer({ id }),
  /** An organization's invitation links (default: pending ones). */
  listOrgInvitations: onServer({ org: orgRef, status: z.enum(['pending', 'all']).optional() }),
  /** A link for one signed-in person to join it with `role`; the whole link comes back once. */
  createOrgInvitation: onServer({ org: orgRef, ...orgInvitationInputSchema.shape }),
  revokeOrgInvitation: onServer({ org: orgRef, id: invitationId }),
  // Single sign-on IdPs: site-wide without `org`, an organization's with it
  listSsoProviders: onServer({ org: orgRef.optional() }),
  /** The only call that carries a client secret to the server (and `updateSsoProvider`'s replacement); no answer carries it back. */
  addSsoProvider: onServer({ org: orgRef.optional(), provider: ssoProviderInputSchema }),
  updateSsoProvider: onServer({ org: orgRef.optional(), name: ssoProviderNameSchema, patch: ssoProviderPatchSchema }),
  removeSsoProvider: onServer({ org: orgRef.optional(), name: ssoProviderNameSchema }),
  /** Discovery read, the key set fetched, the authorization URL built. */
  testSsoProvider: onServer({ org: orgRef.optional(), name: ssoProviderNameSchema }),
  // Import: a run in the main process, watched with importStatus and stopped with stopImport
  startImport: onServer({
    file_name: text(255),
    /** The file's bytes in base64 (the parser checks they are UTF-8 and names the line that is not). */
    content: z
      .string()
      .max(Math.ceil(IMPORT_MAX_BYTES / 3) * 4 + 4096, 'is over 8 MiB: an import takes at most 8 MiB')
      .regex(/^[A-Za-z0-9+/=]*$/, 'must be the file in base64'),
    format: z.enum(['csv', 'jsonl']).optional(),
    dry_run: z.boolean(),
    mode: z.enum(IMPORT_MODES).optional(),
    on_existing: z.enum(ON_EXISTING).optional(),
    continue_on_error: z.boolean().optional(),
    with_keys: z.boolean().optional(),
  }),
  importStatus: onServer({ run: importRunId }),
  stopImport: onServer({ run: importRunId }),
  /** Journals of imports into this server that wrote one row at a time (a Graphistry), newest first: a run cut off says what it wrote. */
  importJournals: onServer({}),
  // Audit
  listAudit: onServer({
    page: z.number().int().min(1).optional(),
    page_size: z.number().int().min(1).max(500).optional(),
    action: text(64).optional(),
    actor: text(200).optional(),
    /** Entries about this user: what was done to them. */
    target_user_id: id.optional(),
  }),
  /** The audit log (filtered as the list) as a CSV file's text. */
  exportAudit: onServer({ action: text(64).optional(), actor: text(200).optional(), target_user_id: id.optional() }),
  // Clipboard (cleared after 45 s if it still holds the value)
  copyToClipboard: z.strictObject({ text: z.string().min(1).max(10_000), sensitive: z.boolean().optional() }),
} as const;

export type ConsoleMethod = keyof typeof consoleParams;
export type ConsoleParams<M extends ConsoleMethod> = z.input<(typeof consoleParams)[M]>;
export type ParsedParams<M extends ConsoleMethod> = z.output<(typeof consoleParams)[M]>;

export interface Profile {
  id: string;
  name: string;
  kind: 'bundled' | 'remote';
  url?: string;
  username?: string;
  admin_path?: string;
  ca_file?: string;
  pinned_certificate?: string;
  created_at: string;
  last_used_at: string | null;
  /** Whether the keychain holds a credential for it (never the credential). */
  has_credential: boolean;
  /** Which kind, when it does: a personal key (Graphistry Admin server) or an admin password (a Graphistry). */
  credential_kind?: 'personal_key' | 'password';
}

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'crashed';

export interface BundledServerStatus {
  state: ServerState;
  url: string | null;
  pid: number | null;
  data_dir: string;
  /** Why it stopped, when it did not stop on request. */
  last_error: string | null;
  started_at: string | null;
}

/** One backup file of the bundled server (src-server/backup/: database rows and the `.env` secrets, mode 0600). */
export interface BundledBackup {
  file: string;
  at: string;
  bytes: number;
}

export interface BundledBackups {
  dir: string;
  count: number;
  last: BundledBackup | null;
}

export interface ConnectionStatus {
  profile: Profile | null;
  connected: boolean;
  /**
   * This sign-in's id (a new one each time the console connects or signs in):
   * what every call that acts on the server names as the connection it was
   * prepared for. Null when not connected.
   */
  connection: string | null;
  user: User | null;
  server_url: string | null;
  backend: 'embedded' | 'remote-graphistry' | null;
  /** What the connected server offers (null when not connected). */
  capabilities: BackendCapabilities | null;
  healthy: boolean;
  keychain: { available: boolean; detail: string | null };
}

/** A file made for the admin to save: its suggested name, type and whole text (`count`: the records in it, when known). */
export interface ExportedFile {
  file_name: string;
  content_type: string;
  text: string;
  count: number | null;
}

export interface CertificateInfo {
  host: string;
  subject: string;
  issuer: string;
  valid_from: string;
  valid_to: string;
  fingerprint256: string;
  self_signed: boolean;
  /** Whether this computer already trusts it (then nothing needs pinning). */
  trusted: boolean;
  /** Why not, in OpenSSL's words (e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  problem: string | null;
}

/** An import run: its progress while it runs, its report (links and key secrets in the first read after it ends only) or its failure. */
export interface ImportRunView {
  run: string;
  file_name: string;
  dry_run: boolean;
  state: 'running' | 'done' | 'stopped' | 'failed';
  /** A run into a Graphistry checks every row, then writes them: `done` counts within the phase. */
  phase: 'checking' | 'writing';
  done: number;
  /** Rows to go through, once known (a one-row-at-a-time run reports it with its first row). */
  total: number | null;
  written: number;
  started_at: string;
  report: ImportReport | null;
  error: ConsoleError | null;
  /** Where its journal is kept (runs that write to a Graphistry), else null. */
  journal: string | null;
}

export type ImportJournalView = JournalReportView & { file: string; modified_at: string };

export interface ConsoleResults {
  listProfiles: Profile[];
  saveProfile: Profile;
  deleteProfile: null;
  connect: ConnectionStatus;
  disconnect: ConnectionStatus;
  connectionStatus: ConnectionStatus;
  signIn: ConnectionStatus;
  /** What signing out actually did, so the console says exactly that. */
  /** `credential`: what the keychain held (a Graphistry's is its admin password: nothing to revoke, the session ends). */
  signOut: { removed_from_keychain: boolean; revoked_on_server: boolean; was_connected: boolean; credential: 'personal_key' | 'password' | null };
  inspectCertificate: CertificateInfo;
  startBundledServer: BundledServerStatus;
  stopBundledServer: BundledServerStatus;
  bundledServerStatus: BundledServerStatus;
  bundledServerLog: { lines: string[] };
  bundledServerBackups: BundledBackups;
  backUpBundledServer: BundledBackup;
  registrationState: RegistrationState;
  signUpFirstAdmin: ConnectionStatus;
  listUsers: UserPage;
  listUserIds: MatchingUserIds;
  getUser: User;
  getUsers: UsersRead;
  /** `key` is null where the server makes no API key with the account (a remote Graphistry). */
  createUser: { user: User; key: NewPersonalKey | null };
  updateUser: User;
  deleteUser: null;
  setUserPassword: User;
  setUsersActive: BulkActiveResult;
  userLifecycle: BulkActiveResult;
  exportUsers: ExportedFile;
  listKeys: PersonalKey[];
  createKey: NewPersonalKey;
  revokeKey: PersonalKey;
  mintJwt: { token: string; expires_at: string };
  getSettings: SettingView[];
  setSettings: SettingView[];
  listInvitations: InvitationView[];
  createInvitation: { invitation: InvitationView; url: string };
  revokeInvitation: InvitationView;
  listAudit: Page<AuditEntry>;
  exportAudit: ExportedFile;
  listOrganizations: OrgPage;
  getOrganization: Organization;
  createOrganization: Organization;
  updateOrganization: Organization;
  deleteOrganization: null;
  listOrgMembers: Page<OrgMember>;
  addOrgMember: OrgMember;
  setOrgMemberRole: OrgMember;
  removeOrgMember: null;
  createOrgUser: NewOrgUser;
  listUserMemberships: Membership[];
  listOrgInvitations: OrgInvitation[];
  /** `url`: the whole link (the server's, or the connection's address in front of its path), shown once. */
  createOrgInvitation: { invitation: OrgInvitation; url: string };
  revokeOrgInvitation: OrgInvitation;
  /** `base_url`: what redirect URIs start with (the server's public URL when set, else the address the console uses), before each IdP's `redirect_path`. */
  listSsoProviders: { results: SsoProvider[]; base_url: string };
  addSsoProvider: SsoProvider;
  updateSsoProvider: SsoProvider;
  removeSsoProvider: null;
  testSsoProvider: SsoTestResult;
  startImport: ImportRunView;
  importStatus: ImportRunView;
  stopImport: ImportRunView;
  importJournals: ImportJournalView[];
  /** `delegated`: in web mode the page itself writes the clipboard (the host has none), and clears it after `clear_after_ms`. */
  copyToClipboard: { copied: boolean; delegated: boolean; clear_after_ms: number };
}

/** Compile-time check: every method has a result type and nothing else does. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _complete: Exact<ConsoleMethod, keyof ConsoleResults> = true;
void _complete;

export type ConsoleApi = {
  [M in ConsoleMethod]: (params: ConsoleParams<M>) => Promise<Result<ConsoleResults[M]>>;
};

/** Every method name, in one constant list (preload, main and web mode iterate it). */
export const CONSOLE_METHODS = Object.freeze(Object.keys(consoleParams) as ConsoleMethod[]);

/** A method that acts on the connected server: it names the connection it was prepared for. */
export type ServerMethod = { [M in ConsoleMethod]: 'connection' extends keyof (typeof consoleParams)[M]['shape'] ? M : never }[ConsoleMethod];

/** Every ServerMethod, from the schemas themselves. */
export const SERVER_METHODS: readonly ServerMethod[] = Object.freeze(CONSOLE_METHODS.filter((m): m is ServerMethod => 'connection' in consoleParams[m].shape));

/** The IPC channel of a method. */
export const channelOf = (method: ConsoleMethod) => `console:${method}`;

export const CLIPBOARD_CLEAR_MS = 45_000;
