import type { User } from '../../../src-shared/domain.ts';
import { entryValue, type AdminForm, readForm } from './admin-forms.ts';
import type { AdminPage } from './admin-http.ts';
import { booleanCell } from './change-list.ts';
import { attr, classSuffix, find, findAll, hasClass, text, type Element } from './html.ts';
import { remoteErrors } from './remote-errors.ts';
import type { AdminFormats } from './admin-formats.ts';
import type { WallTime } from './date-reading.ts';
import { utcOffsetOf } from './server-time.ts';

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
  /** What the form shows; a field it does not show is left out (the caller reads it elsewhere). Dates are in `dates`. */
  shown: Partial<Omit<User, 'id' | 'date_joined' | 'last_login'>>;
  /** The dates the form shows, as the server's wall time (null: empty), for the caller to place in time (server-time.ts). */
  dates: Partial<Record<'date_joined' | 'last_login', WallTime | null>>;
  states: Record<UserField, FieldState>;
  form: AdminForm;
  root: Element;
  /** The page's offset from UTC now (data-admin-utc-offset), null when it does not say. */
  utcOffset: number | null;
}

/** The model's name for a console field: the username is the model's USERNAME_FIELD (`email` on some models). */
export const modelName = (field: UserField, usernameField: string): string => (field === 'username' ? usernameField : field);

/** The `.readonly` display of a field's row (`field-<name>`), where Django shows a read-only field. */
function readOnlyDisplay(root: Element, name: string): Element | null {
  const row = find(root, (e) => classSuffix(e, 'field-') === name && !hasClass(e, 'errorlist'));
  return row ? find(row, (e) => hasClass(e, 'readonly')) : null;
}

/**
 * A date field by the formats the admin declares for it: split date and time
 * inputs (DATE_INPUT_FORMATS[0] and TIME_INPUT_FORMATS[0]), one input
 * (DATETIME_INPUT_FORMATS[0]) or a read-only display (DATETIME_FORMAT).
 * A value that does not read is an error, never an empty date.
 */
function dateOf(root: Element, form: AdminForm, name: string, formats: AdminFormats, host: string): { state: FieldState; value?: WallTime | null } {
  const read = (format: AdminFormats[keyof AdminFormats], t: string, state: FieldState) => {
    const v = t.trim() === '' || (state === 'read_only' && t === '-') ? null : (format?.parse(t) ?? undefined);
    if (v === undefined)
      throw remoteErrors.unexpected(
        host,
        `a ${name.replace('_', ' ')} of "${t.slice(0, 40)}", which ${format ? `its date format (${format.source}) does not describe` : 'is in a date format the console cannot read'}`,
      );
    return { state, value: v };
  };
  const date = entryValue(form, `${name}_0`);
  if (date !== null) return read(formats.splitInput, date.trim() ? `${date.trim()} ${(entryValue(form, `${name}_1`) ?? '').trim()}` : '', 'editable');
  const single = entryValue(form, name);
  if (single !== null) return read(formats.input, single, 'editable');
  const shown = readOnlyDisplay(root, name);
  if (!shown) return { state: 'absent' };
  return read(formats.display, text(shown), 'read_only');
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
export function readChangeForm(page: AdminPage, id: number, host: string, usernameField: string, formats: AdminFormats): ChangeForm {
  const root = page.html;
  const form = changeFormOf(root, page.url.toString(), usernameField);
  if (!form) throw remoteErrors.unexpected(host, `the change form of user ${id}`);
  const utcOffset = utcOffsetOf(root);
  const shown: ChangeForm['shown'] = {};
  const dates: ChangeForm['dates'] = {};
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
    const v = dateOf(root, form, f, formats, host);
    states[f] = v.state;
    if (v.value !== undefined) dates[f] = v.value;
  }
  if (states.username === 'absent') throw remoteErrors.unexpected(host, `the change form of user ${id}, which shows no ${usernameField}`);
  return { id, shown, dates, states, form, root, utcOffset };
}
