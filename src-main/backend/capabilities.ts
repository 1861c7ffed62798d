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
  // A call is one transaction on the server, holding its accounts lock (100 users: about 5 ms on SQLite, 70 ms on
  // PostgreSQL); 100 a call keeps that short and a long run's progress visible.
  bulk_batch: 100,
  user_model: STANDARD_USER_MODEL,
});

export const GRAPHISTRY_UNSUPPORTED: Readonly<Record<BackendFeature, string>> = Object.freeze({
  own_keys: "Graphistry manages API keys on each user's own dashboard: make or revoke yours there. Copy JWT below works here.",
  user_keys: "Graphistry manages API keys on each user's own dashboard; its admin site cannot list, make or revoke them.",
  first_key: 'Graphistry makes no API key with a new account: the user creates one on their dashboard.',
  invitations: "Graphistry's admin site has no invitation links: open registration for a while, or add the account in Users.",
  audit: "Graphistry's admin site keeps its own change history on each user's page there; it has no audit log the console can read.",
  signup: "A Graphistry's first account is made on the Graphistry server itself, not from the console.",
});

export const GRAPHISTRY_BULK_NOTE =
  "Graphistry's admin site changes one user at a time: Activate and Deactivate open each selected user's page and save it only when it is not so already, a few users per step.";

/** `userModel`: what the connection's preflight found (see remote/user-model.ts). */
export function graphistryCapabilities(sortable: readonly string[], userModel: BackendCapabilities['user_model'] = STANDARD_USER_MODEL): BackendCapabilities {
  return {
    unsupported: { ...GRAPHISTRY_UNSUPPORTED },
    sortable: USER_ORDERING_FIELDS.filter((f): f is UserOrderingField => sortable.includes(f)),
    bulk_note: GRAPHISTRY_BULK_NOTE,
    // Each user costs three or four admin-site requests (its form, the post, the form read back; a superuser's last-superuser
    // check): 5 a call keeps Stop prompt.
    bulk_batch: 5,
    user_model: userModel,
  };
}
