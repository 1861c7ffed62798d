import type { User } from '../../../src-shared/domain.ts';
import { entryValue, type AdminForm, readForm } from './admin-forms.ts';
import type { AdminPage } from './admin-http.ts';
import { booleanCell } from './change-list.ts';
import { attr, classSuffix, find, findAll, hasClass, text, type Element } from './html.ts';
import { remoteErrors } from './remote-errors.ts';
import { isoFromDisplay, isoFromInputs, utcOffsetOf } from './server-time.ts';

/** The fields of `User` a Django user model has under the same names (AbstractUser's). */
export const USER_FLAGS = ['is_active', 'is_staff', 'is_superuser'] as const;
export type UserFlag = (typeof USER_FLAGS)[number];
/** The console's user fields other than the id, as a change form holds them. */
export const USER_FIELDS = ['username', 'email', ...USER_FLAGS, 'date_joined', 'last_login'] as const;
export type UserField = (typeof USER_FIELDS)[number];

/**
 * How a change form holds a field: an input the console can post
 * (`editable`), a value Django shows but takes no input for (`read_only`, the
 * admin's readonly_fields), or not on the form at all (`absent`).
 */
export type FieldState = 'editable' | 'read_only' | 'absent';

export interface ChangeForm {
  id: number;
  /** What the form shows; a field it does not show is left out (the caller reads it elsewhere). */
  shown: Partial<Omit<User, 'id'>>;
  states: Record<UserField, FieldState>;
  form: AdminForm;
  root: Element;
  /** The page's offset from UTC (data-admin-utc-offset), for dates read elsewhere. */
  utcOffset: number;
}

/** The model's name for a console field: the username is the model's USERNAME_FIELD (`email` on some models). */
export const modelName = (field: UserField, usernameField: string): string => (field === 'username' ? usernameField : field);

/** The `.readonly` display of a field's row (`field-<name>`), where Django shows a read-only field. */
function readOnlyDisplay(root: Element, name: string): Element | null {
  const row = find(root, (e) => classSuffix(e, 'field-') === name && !hasClass(e, 'errorlist'));
  return row ? find(row, (e) => hasClass(e, 'readonly')) : null;
}

function dateOf(root: Element, form: AdminForm, name: string, offset: number): { state: FieldState; value?: string | null } {
  const date = entryValue(form, `${name}_0`);
  if (date !== null) return { state: 'editable', value: date.trim() ? isoFromInputs(date, entryValue(form, `${name}_1`) ?? '', offset) : null };
  const single = entryValue(form, name);
  if (single !== null) return { state: 'editable', value: single.trim() ? isoFromDisplay(single, offset) : null };
  const shown = readOnlyDisplay(root, name);
  if (!shown) return { state: 'absent' };
  const t = text(shown);
  return { state: 'read_only', value: t === '' || t === '-' ? null : isoFromDisplay(t, offset) };
}

function textOf(root: Element, form: AdminForm, name: string): { state: FieldState; value?: string } {
  if (form.names.has(name)) return { state: 'editable', value: entryValue(form, name) ?? '' };
  const shown = readOnlyDisplay(root, name);
  if (!shown) return { state: 'absent' };
  const t = text(shown);
  // Django shows an empty value as "-" (empty_value_display).
  return { state: 'read_only', value: t === '-' ? '' : t };
}

function flagOf(root: Element, form: AdminForm, name: string): { state: FieldState; value?: boolean } {
  if (form.names.has(name)) return { state: 'editable', value: entryValue(form, name) !== null };
  const shown = readOnlyDisplay(root, name);
  const value = shown ? booleanCell(shown) : null;
  return value === null ? { state: 'absent' } : { state: 'read_only', value };
}

/** The change form among the page's forms: the one Django's save buttons submit (or, without them, the one holding the username). */
function changeFormOf(root: Element, pageUrl: string, usernameField: string): AdminForm | null {
  const forms = findAll(root, (e) => e.tagName === 'form' && (attr(e, 'method') ?? '').toLowerCase() === 'post').map((f) => readForm(f, pageUrl));
  return forms.find((f) => f.submits.has('_save') || f.submits.has('_continue')) ?? forms.find((f) => f.names.has(usernameField)) ?? null;
}

/**
 * A user as its change form shows it (`<users>/<pk>/change/`), read by the
 * names of the form's fields or, for the admin's read-only fields, from the
 * value Django displays in their place; plus the form itself, so an update
 * can post back every field it does not change.
 */
export function readChangeForm(page: AdminPage, id: number, host: string, usernameField: string): ChangeForm {
  const root = page.html;
  const form = changeFormOf(root, page.url.toString(), usernameField);
  if (!form) throw remoteErrors.unexpected(host, `the change form of user ${id}`);
  const utcOffset = utcOffsetOf(root);
  const shown: Partial<Omit<User, 'id'>> = {};
  const states = {} as Record<UserField, FieldState>;
  const username = textOf(root, form, usernameField);
  states.username = username.state;
  if (username.value !== undefined) shown.username = username.value;
  const email = textOf(root, form, 'email');
  states.email = email.state;
  if (email.value !== undefined) shown.email = email.value || null;
  for (const f of USER_FLAGS) {
    const v = flagOf(root, form, f);
    states[f] = v.state;
    if (v.value !== undefined) shown[f] = v.value;
  }
  for (const f of ['date_joined', 'last_login'] as const) {
    const v = dateOf(root, form, f, utcOffset);
    states[f] = v.state;
    if (v.value !== undefined && (v.value !== null || f === 'last_login')) shown[f] = v.value as string;
  }
  if (states.username === 'absent') throw remoteErrors.unexpected(host, `the change form of user ${id}, which shows no ${usernameField}`);
  return { id, shown, states, form, root, utcOffset };
}
