import type { BackendCapabilities, UserEditableField } from '../../../src-shared/domain.ts';
import type { AdminForm } from './admin-forms.ts';
import type { FieldState, UserField } from './user-form.ts';

/**
 * What the console learns about a Graphistry's user model once per
 * connection, before it writes: the field users sign in with, what kind of
 * primary key it has, and how its change form holds each field the console
 * shows. Writes check their fields against it before anything is sent, and
 * the connection's capabilities say it in plain words.
 */
export interface UserModel {
  /** The model's USERNAME_FIELD, as its add form asks for it: `username`, or `email` where users sign in with their email. */
  usernameField: string;
  /** `integer`: ids are the server's own keys; `other` (UUIDs, text): ids are this connection's numbers (see user-ids.ts). */
  keys: 'integer' | 'other';
  /** How the change form holds each field (read from the signed-in admin's own form). */
  states: Record<UserField, FieldState>;
}

/** Fields of Django's creation forms that are not the username (5.1's AdminUserCreationForm adds `usable_password`). */
const NOT_USERNAME = new Set(['csrfmiddlewaretoken', 'password1', 'password2', 'usable_password', 'next']);

/**
 * The add form asks for the USERNAME_FIELD and the two passwords (Django's
 * UserCreationForm, whose fields are `(USERNAME_FIELD,)`): `username` where
 * the model has one, else the one other field it asks for.
 */
export function usernameFieldOf(add: AdminForm): string {
  if (add.names.has('username')) return 'username';
  return [...add.names].find((n) => !NOT_USERNAME.has(n) && !n.startsWith('initial-') && !n.startsWith('_')) ?? 'username';
}

const EDITABLE: readonly UserEditableField[] = ['username', 'email', 'is_active', 'is_staff', 'is_superuser'];
const LABELS: Record<UserField, string> = {
  username: 'the username',
  email: 'the email',
  is_active: 'active',
  is_staff: 'staff status',
  is_superuser: 'superuser status',
  date_joined: 'the date joined',
  last_login: 'the last login',
};
export const labelOf = (f: UserField) => LABELS[f];

/** The model, as the connection's capabilities say it to the screens. */
export function describeModel(model: UserModel, host: string): BackendCapabilities['user_model'] {
  const emailLogin = model.usernameField === 'email';
  const read_only = EDITABLE.filter((f) => model.states[f] !== 'editable' && !(f === 'email' && emailLogin && model.states.username === 'editable'));
  const notes: string[] = [];
  if (emailLogin) notes.push(`Users of ${host} sign in with their email address: the username and the email are one field.`);
  else if (model.usernameField !== 'username')
    notes.push(`Users of ${host} sign in with their ${model.usernameField.replace(/_/g, ' ')}, shown here as the username.`);
  if (model.keys === 'other') {
    notes.push(
      `${host} names its users by keys that are not numbers (such as UUIDs): the ids shown are the console's own for this sign-in, and change when you sign in again.`,
    );
  }
  const shownOnly = read_only.filter((f) => model.states[f] === 'read_only');
  const missing = read_only.filter((f) => model.states[f] === 'absent');
  if (shownOnly.length)
    notes.push(
      `The admin site of ${host} shows ${list(shownOnly.map(labelOf))} read-only: change ${shownOnly.length > 1 ? 'them' : 'it'} on the server itself.`,
    );
  if (missing.length)
    notes.push(
      `The admin site of ${host} has no ${list(missing.map(labelOf))} on its user form: the console cannot change ${missing.length > 1 ? 'them' : 'it'}.`,
    );
  return { username_field: model.usernameField, ids: model.keys === 'integer' ? 'server' : 'console', read_only, notes };
}

function list(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
