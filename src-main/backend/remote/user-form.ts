import type { User } from '../../../src-shared/domain.ts';
import { entryValue, findForm, type AdminForm } from './admin-forms.ts';
import type { AdminPage } from './admin-http.ts';
import { classSuffix, find, hasClass, text, type Element } from './html.ts';
import { remoteErrors } from './remote-errors.ts';
import { isoFromDisplay, isoFromInputs, utcOffsetOf } from './server-time.ts';

/** The fields of `User` a Django user model has under the same names (AbstractUser's). */
export const USER_FLAGS = ['is_active', 'is_staff', 'is_superuser'] as const;

export interface ChangeForm {
  user: User;
  form: AdminForm;
  root: Element;
}

/** A date field of the form: Django's split date/time inputs, a single input, or a read-only display. */
function dateOf(root: Element, form: AdminForm, name: string, offset: number): string | null {
  const date = entryValue(form, `${name}_0`);
  if (date !== null) return date.trim() ? isoFromInputs(date, entryValue(form, `${name}_1`) ?? '', offset) : null;
  const single = entryValue(form, name);
  if (single !== null) return single.trim() ? isoFromDisplay(single, offset) : null;
  const row = find(root, (e) => classSuffix(e, 'field-') === name);
  const shown = row && find(row, (e) => hasClass(e, 'readonly'));
  return shown ? isoFromDisplay(text(shown), offset) : null;
}

/**
 * A user as its change form shows it (`<users>/<pk>/change/`), read by the
 * names of the form's fields, plus the form itself, so an update can post
 * back every field it does not change.
 */
export function readChangeForm(page: AdminPage, id: number, host: string): ChangeForm {
  const root = page.html;
  const form = findForm(root, page.url.toString(), ['username', ...USER_FLAGS]);
  if (!form) throw remoteErrors.unexpected(host, `the change form of user ${id}`);
  const offset = utcOffsetOf(root);
  const email = entryValue(form, 'email');
  const joined = dateOf(root, form, 'date_joined', offset);
  const user: User = {
    id,
    username: entryValue(form, 'username') ?? '',
    email: email ? email : null,
    is_active: entryValue(form, 'is_active') !== null,
    is_staff: entryValue(form, 'is_staff') !== null,
    is_superuser: entryValue(form, 'is_superuser') !== null,
    // A model without date_joined would be odd for Graphistry; the epoch says "unknown" rather than failing the page.
    date_joined: joined ?? new Date(0).toISOString(),
    last_login: dateOf(root, form, 'last_login', offset),
  };
  return { user, form, root };
}

/** The pk in a change form's address (`…/42/change/`), as Django redirects there after "Save and continue editing". */
export function idFromChangeUrl(url: URL): number | null {
  const m = /\/(\d+)\/change\/?$/.exec(url.pathname);
  return m ? Number(m[1]) : null;
}
