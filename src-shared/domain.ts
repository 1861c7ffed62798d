/**
 * Domain types both the console and the embedded server agree on. These are
 * the JSON shapes of the server's REST API (snake_case, as Graphistry's own
 * Django API spells them).
 */
import type { SignIn, SignInMethod, User } from './user-schemas.ts';
import type { JoinPolicy, ORG_ORDERING_FIELDS, OrgRole } from './org-roles.ts';

/** A user as the server answers it: declared once, as a zod schema, in user-schemas.ts. */
export type { User };

export interface PersonalKey {
  id: string;
  name: string;
  /** First characters of the secret, to tell keys apart; never enough to use. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  /** Derived: not revoked and not expired. */
  is_active: boolean;
}

/** A key as returned once, at creation: the only time the secret is shown. */
export interface NewPersonalKey {
  key: PersonalKey;
  id: string;
  secret: string;
  /** Ready-made `Authorization` header value. */
  authorization: string;
}

export interface Page<T> {
  count: number;
  /**
   * Present (true) when `count` is an estimate: past 10,000 matches (1,000
   * for a search on PostgreSQL, and for a one- or two-character search on
   * SQLite) the server estimates rather than counting every one. Say "about".
   */
  count_is_estimate?: boolean;
  page: number;
  page_size: number;
  results: T[];
}

/**
 * The Users list's columns a server may leave out of its list: a Django
 * admin shows only its list_display (Django's stock UserAdmin: no superuser,
 * active or dates), and reading what it leaves out would cost a request per
 * row. Such a column is said to be not listed, never filled with a guess.
 */
export const UNLISTED_USER_FIELDS = ['email', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login'] as const;
export type UnlistedUserField = (typeof UNLISTED_USER_FIELDS)[number];

/** A row of the Users list: a User, but null in each field its page names in `unlisted` (not read: not "unset"). */
export type UserRow = { [K in keyof User]: K extends UnlistedUserField ? User[K] | null : User[K] } & {
  /** How the user signs in; absent where the server does not say (a Graphistry: capability `sign_in_method`). */
  sign_in?: SignIn;
};

/** A page of the Users list. */
export interface UserPage extends Page<UserRow> {
  /**
   * The fields this page did not read, in every row (absent or empty: it
   * read them all): the server's list does not show them, or shows them in
   * a way the console cannot read. `getUsers` reads the rows whole.
   */
  unlisted?: UnlistedUserField[];
}

/** Users read whole, each from its own page on the server; an id that is no (longer a) user is in `failed`. */
export interface UsersRead {
  users: User[];
  failed: Array<{ id: number; code: string; message: string }>;
}

/** Most users one getUsers call reads (a Graphistry reads one page per user: the console asks in such batches, with progress). */
export const GET_USERS_MAX = 50;

export const USER_ORDERING_FIELDS = ['id', 'username', 'email', 'date_joined', 'last_login', 'is_active', 'is_staff', 'is_superuser'] as const;
export type UserOrderingField = (typeof USER_ORDERING_FIELDS)[number];

export interface UserQuery {
  search?: string;
  is_staff?: boolean;
  is_superuser?: boolean;
  is_active?: boolean;
  /** Only a password, only single sign-on, or both (capability `sign_in_method`). */
  sign_in?: SignInMethod;
  /** Dormancy (capability `dormancy_filters`): true never signed in, false signed in at least once. */
  never_signed_in?: boolean;
  /** No sign-in for this many days; never-signed-in users included. */
  inactive_days?: number;
  /** Joined before this day (YYYY-MM-DD, UTC). */
  joined_before?: string;
  /** A field name, `-` in front for descending (Django REST style). */
  ordering?: `${'' | '-'}${UserOrderingField}`;
  page?: number;
  page_size?: number;
}

export interface SettingView {
  key: string;
  value: unknown;
  default: unknown;
  /** Booleans are switches; a remote Graphistry's other settings (numbers, text, dates) are shown read-only; the bundled server's PUBLIC_URL is text it takes. */
  type: 'boolean' | 'number' | 'text' | 'datetime' | 'other';
  description: string;
  updated_at: string | null;
  updated_by: string | null;
  /** Shown but not changeable from the console (every setting that is not a boolean is, but the bundled server's PUBLIC_URL). */
  read_only?: boolean;
}

/** Features a backend may lack; each missing one comes with the sentence the screens show instead. */
/**
 * `organizations`: reading organizations and their members; `org_writes`: changing them; `sso`: single sign-on IdP
 * configurations; `sign_in_method`: how each user signs in (password, SSO); `lifecycle`: sign out everywhere, require a
 * password change, revoke all keys; `user_export`: the Users list as a file; `dormancy_filters`: never signed in, no
 * sign-in for N days, joined before.
 */
export const BACKEND_FEATURES = [
  'own_keys',
  'user_keys',
  'first_key',
  'invitations',
  'audit',
  'signup',
  'organizations',
  'org_writes',
  'sso',
  'sign_in_method',
  'lifecycle',
  'user_export',
  'dormancy_filters',
] as const;
export type BackendFeature = (typeof BACKEND_FEATURES)[number];

/**
 * What the server behind a connection can do, declared by its backend so the
 * screens say plainly what is not there instead of showing an empty table or
 * an error. The embedded server offers everything.
 */
export interface BackendCapabilities {
  unsupported: Partial<Record<BackendFeature, string>>;
  /** The Users manager's sortable columns (a Django admin sorts only by the columns it lists). */
  sortable: UserOrderingField[];
  /** Said beside bulk activate/deactivate when the server takes one change per user; null when there is nothing to say. */
  bulk_note: string | null;
  /** Said on the Import screen: how an import differs on this server (a Graphistry: one row at a time, no set-password links); null when it does not. */
  import_note: string | null;
  /** Users per bulk call the console sends, so a long run shows progress and can stop between calls (a Graphistry saves one user at a time). */
  bulk_batch: number;
  /** How the server's user model differs from the console's, for the Users screens to say (the bundled server's is the console's own). */
  user_model: {
    /** The field users sign in with (`username`; `email` where it is the email, so the two are one field). */
    username_field: string;
    /** `server`: ids are the server's own; `console`: the server's keys are not numbers (UUIDs), ids are this sign-in's own numbers. */
    ids: 'server' | 'console';
    /** Fields the server shows but the console cannot change there: the editor shows them disabled, with `notes`. */
    read_only: UserEditableField[];
    /** Plain sentences about the above, shown on the Users screens; empty when there is nothing to say. */
    notes: string[];
  };
}

/** The fields of a user the console's editor changes. */
export type UserEditableField = 'username' | 'email' | 'is_active' | 'is_staff' | 'is_superuser';

export interface RegistrationState {
  has_users: boolean;
  signups_open: boolean;
  first_signup_needs_setup_token: boolean;
  password_rules: string[];
}

export interface InvitationView {
  id: string;
  note: string | null;
  grant_staff: boolean;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: number | null;
  /** Who made their account with it (null: unused, or known only by `used_by` in lists that do not look it up). */
  used_by_username: string | null;
  revoked_at: string | null;
  status: 'pending' | 'used' | 'expired' | 'revoked';
}

/**
 * An organization's invitation link: anyone signed in who opens it joins the
 * organization with `role` (a new person makes their account on its page
 * first). Never staff; `used_by`: who joined with it.
 */
export interface OrgInvitation extends Omit<InvitationView, 'grant_staff'> {
  role: OrgRole;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target: string | null;
  client_ip: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/**
 * What a bulk activate or deactivate did, user by user. A user already in the
 * asked-for state is `unchanged` (not written, not audited), so the console
 * counts only real changes and its Undo touches only `changed`: each of those
 * was in the opposite state just before.
 */
export interface BulkActiveResult {
  changed: User[];
  unchanged: User[];
  failed: Array<{ id: number; code: string; message: string }>;
}

/** Most users one bulk action may cover ("all N matching"): past this, narrow the search first. */
export const BULK_MAX_USERS = 10_000;

/** Most users one activate/deactivate call takes (the server's limit); a longer run is sent in several calls. */
export const BULK_CALL_MAX_USERS = 500;

/** Every user matching a query, as ids in the query's order: what a bulk action over "all N matching" acts on. */
export interface MatchingUserIds {
  /** How many users match (exact). */
  count: number;
  /** Their ids, at most the limit asked for; `count > ids.length` means there were more. */
  ids: number[];
}

/** A member's role, the SSO join policy and the list's orderings: declared once, in org-roles.ts. */
export type { JoinPolicy, OrgRole };
export type OrgOrderingField = (typeof ORG_ORDERING_FIELDS)[number];

/**
 * An organization as the console shows it. `ref` is what calls name it by:
 * its slug on a Graphistry Admin server, the admin site's key (`pk-17`) on a
 * Graphistry. A field the server does not show is null (and named in the
 * list's `unlisted`), never guessed.
 */
export interface Organization {
  ref: string;
  slug: string | null;
  name: string;
  join_policy: JoinPolicy | null;
  created_at: string | null;
  member_count: number | null;
  admin_count: number | null;
  /** The signed-in admin's own role in it (null: not a member). */
  role: OrgRole | null;
}

export const UNLISTED_ORG_FIELDS = ['slug', 'join_policy', 'created_at', 'member_count', 'admin_count'] as const;
export type UnlistedOrgField = (typeof UNLISTED_ORG_FIELDS)[number];

export interface OrgPage extends Page<Organization> {
  /** Fields this page did not read (null in every row): the server's list does not show them. */
  unlisted?: UnlistedOrgField[];
}

export interface OrgQuery {
  search?: string;
  ordering?: `${'' | '-'}${OrgOrderingField}`;
  page?: number;
  page_size?: number;
}

/** A member of an organization; null where the server does not show the field (a Graphistry's admin site). */
export interface OrgMember {
  user_id: number;
  username: string;
  email: string | null;
  is_active: boolean | null;
  /** Null when the server shows a role the console does not know. */
  role: OrgRole | null;
  joined_at: string | null;
  /** Who invited or added them (a username), when known. */
  invited_by: string | null;
}

/** One organization a user belongs to (the user editor's Organizations section). */
export interface Membership {
  organization: { ref: string; slug: string | null; name: string };
  role: OrgRole | null;
  joined_at: string | null;
}

/** A new user made inside an organization, with their first key where the server makes one. */
export interface NewOrgUser {
  user: User;
  key: NewPersonalKey | null;
  member: OrgMember;
}
