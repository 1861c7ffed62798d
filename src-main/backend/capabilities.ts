import type { BackendCapabilities, BackendFeature, UserOrderingField } from '../../src-shared/domain.ts';
import { USER_ORDERING_FIELDS } from '../../src-shared/domain.ts';

/**
 * What each kind of server offers, in one place: the screens read these
 * (through ConnectionStatus) and the shared backend contract suite skips
 * exactly what is declared missing here, so the two cannot drift.
 */
/** A user model like the console's own (Django's AbstractUser with integer keys): nothing to say. */
export const STANDARD_USER_MODEL: BackendCapabilities['user_model'] = Object.freeze({ username_field: 'username', ids: 'server', read_only: [], notes: [] });

export const EMBEDDED_CAPABILITIES: BackendCapabilities = Object.freeze({
  unsupported: {},
  sortable: [...USER_ORDERING_FIELDS],
  bulk_note: null,
  import_note: null,
  // A call is one transaction on the server, holding its accounts lock (100 users: about 5 ms on SQLite, 70 ms on
  // PostgreSQL); 100 a call keeps that short and a long run's progress visible.
  bulk_batch: 100,
  user_model: STANDARD_USER_MODEL,
});

const ORGS_ABSENT =
  "This Graphistry's admin site lists no organization model, so the console cannot show its organizations: manage them on the Graphistry itself (Menu → Manage Organizations).";

/**
 * Read-only by design: writing through an admin site whose membership rules, last-admin rule and invitation mails the
 * console cannot see would bypass Graphistry's own checks.
 */
export const GRAPHISTRY_ORG_WRITES =
  "The console shows this Graphistry's organizations read-only, through its admin site: create organizations, change members and invite people on the Graphistry itself (Menu → Manage Organizations).";

export const GRAPHISTRY_UNSUPPORTED: Readonly<Record<BackendFeature, string>> = Object.freeze({
  own_keys: "Graphistry manages API keys on each user's own dashboard: make or revoke yours there. Copy JWT below works here.",
  user_keys: "Graphistry manages API keys on each user's own dashboard; its admin site cannot list, make or revoke them.",
  first_key: 'Graphistry makes no API key with a new account: the user creates one on their dashboard.',
  invitations: "Graphistry's admin site has no invitation links: open registration for a while, or add the account in Users.",
  audit: "Graphistry's admin site keeps its own change history on each user's page there; it has no audit log the console can read.",
  signup: "A Graphistry's first account is made on the Graphistry server itself, not from the console.",
  organizations: ORGS_ABSENT,
  org_writes: ORGS_ABSENT,
  // Graphistry keeps its IdPs (and their client secrets) in its own configuration, not in models its admin site lists.
  sso: "The console cannot configure this Graphistry's single sign-on: its admin site shows no IdP configuration. Set up IdPs on the Graphistry itself (site-wide, or on an organization's page).",
  sign_in_method:
    "A Graphistry's admin site does not show how each user signs in (password or single sign-on), so the console cannot show or filter by it: see the user's social accounts on the Graphistry itself.",
  // Django's admin has no action that ends a user's sessions or tokens, or holds their sign-in until a new password.
  lifecycle:
    "Django's admin site cannot end a user's sessions or tokens, require a new password at their next sign-in, or revoke their API keys: deactivate the account, or set a new password (which ends their sessions), instead.",
  user_export:
    "The console cannot export this Graphistry's users: its admin site lists them a page at a time without every field. Use Django's own tools on the Graphistry (manage.py dumpdata users) instead.",
  dormancy_filters:
    "A Graphistry's admin site offers no filter by last sign-in or join date, so the console cannot list dormant users there: sort by Last login where the list shows it.",
});

/** Imported accounts on a Graphistry (bulk/graphistry-import.ts), said on the Import screen and in each report. */
export const GRAPHISTRY_IMPORT_PASSWORDS =
  "A Graphistry's admin site cannot make set-password links: imported accounts get a random password nobody is shown. People set their own with Graphistry's password reset, or you set one in the user editor.";
export const GRAPHISTRY_IMPORT_NOTE = `A Graphistry's admin site has no transactions: rows are written one at a time, and Stop takes effect between rows. The whole file is checked first and nothing is written if a row is refused; a row refused while writing cannot undo the rows before it, and the report names every row written. ${GRAPHISTRY_IMPORT_PASSWORDS}`;

/** What a Graphistry's admin site shows of its organizations (remote/admin-index.ts finds the model, if any). */
export type GraphistryOrgs = 'absent' | 'read-only';

export const GRAPHISTRY_BULK_NOTE =
  "Graphistry's admin site changes one user at a time: Activate and Deactivate open each selected user's page and save it only when it is not so already, a few users per step.";

/** `userModel`: what the connection's preflight found (see remote/user-model.ts); `orgs`: whether its admin lists an organization model. */
export function graphistryCapabilities(
  sortable: readonly string[],
  userModel: BackendCapabilities['user_model'] = STANDARD_USER_MODEL,
  orgs: GraphistryOrgs = 'absent',
): BackendCapabilities {
  const { organizations, ...rest } = GRAPHISTRY_UNSUPPORTED;
  return {
    unsupported: orgs === 'absent' ? { ...rest, organizations } : { ...rest, org_writes: GRAPHISTRY_ORG_WRITES },
    sortable: USER_ORDERING_FIELDS.filter((f): f is UserOrderingField => sortable.includes(f)),
    bulk_note: GRAPHISTRY_BULK_NOTE,
    import_note: GRAPHISTRY_IMPORT_NOTE,
    // Each user costs three or four admin-site requests (its form, the post, the form read back; a superuser's last-superuser
    // check): 5 a call keeps Stop prompt.
    bulk_batch: 5,
    user_model: userModel,
  };
}
