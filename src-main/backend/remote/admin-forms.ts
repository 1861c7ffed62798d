import { attr, closest, descendants, findAll, hasClass, rawText, text, type Element } from './html.ts';

/**
 * An HTML form as a browser submits it: the "successful controls" of the
 * HTML standard's form submission algorithm, in document order. Posting back
 * what the page held, with only the fields we mean to change replaced, keeps
 * every other field as it was, a custom user model's extra fields included.
 */
export interface AdminForm {
  element: Element;
  /** Where it posts, resolved against the page's URL. */
  action: string;
  entries: Array<[string, string]>;
  /** Every named control, successful or not (an unchecked box is still a field of the form). */
  names: Set<string>;
  /** The names of checkboxes, so a change to one is made by adding or removing its entry. */
  checkboxes: Map<string, string>;
  /** Submit buttons by name (Django's `_save`, `_continue`, `_addanother`). */
  submits: Map<string, string>;
  /** Names shared by several controls (a group of check boxes or radio buttons, a multiple select): not one switch. */
  grouped: Set<string>;
  /**
   * Fields whose value the page does not show, so posting the form back would
   * write a guess (a browser would submit a select's first option): name ->
   * why. A write that does not set such a field itself is refused.
   */
  unreadable: Map<string, string>;
}

const CONTROLS = new Set(['input', 'select', 'textarea', 'button']);
const NOT_DATA = new Set(['submit', 'button', 'reset', 'image', 'file']);

function optionValue(o: Element): string {
  return attr(o, 'value') ?? text(o);
}

const NOT_AMONG_CHOICES = 'holds a value that is not among the choices its form offers';

/** A select's entries as a browser submits them, and whether the page said its value (a single select with an option selected). */
function selectEntries(select: Element, name: string): { entries: Array<[string, string]>; shown: boolean } {
  const options = findAll(select, (e) => e.tagName === 'option');
  const selected = options.filter((o) => attr(o, 'selected') !== null);
  if (attr(select, 'multiple') !== null) return { entries: selected.map((o) => [name, optionValue(o)]), shown: true };
  // A single select with nothing marked selected shows (and submits) its first enabled option. Django marks the stored
  // value's option selected: with none marked, the stored value is not among the options (a choice since withdrawn),
  // and the first option would overwrite it.
  const chosen = selected.at(-1) ?? options.find((o) => attr(o, 'disabled') === null);
  return { entries: chosen ? [[name, optionValue(chosen)]] : [], shown: selected.length > 0 };
}

export function readForm(form: Element, pageUrl: string): AdminForm {
  const entries: Array<[string, string]> = [];
  const names = new Set<string>();
  const checkboxes = new Map<string, string>();
  const submits = new Map<string, string>();
  const seen = new Set<string>();
  const grouped = new Set<string>();
  const unreadable = new Map<string, string>();
  const radios = new Map<string, boolean>();
  for (const c of descendants(form)) {
    if (!CONTROLS.has(c.tagName)) continue;
    const name = attr(c, 'name');
    if (!name) continue;
    const type = (attr(c, 'type') ?? (c.tagName === 'button' ? 'submit' : 'text')).toLowerCase();
    if (c.tagName !== 'select' && c.tagName !== 'textarea' && (type === 'submit' || type === 'image')) {
      submits.set(name, attr(c, 'value') ?? '');
      continue;
    }
    names.add(name);
    if (seen.has(name) || (c.tagName === 'select' && attr(c, 'multiple') !== null)) grouped.add(name);
    seen.add(name);
    if (attr(c, 'disabled') !== null || closest(c, (a) => a.tagName === 'fieldset' && attr(a, 'disabled') !== null)) continue;
    if (c.tagName === 'select') {
      const { entries: chosen, shown } = selectEntries(c, name);
      entries.push(...chosen);
      if (!shown) unreadable.set(name, NOT_AMONG_CHOICES);
    } else if (c.tagName === 'textarea') entries.push([name, rawText(c).replace(/\r\n?/g, '\n')]);
    else if (type === 'checkbox' || type === 'radio') {
      if (type === 'checkbox') checkboxes.set(name, attr(c, 'value') ?? 'on');
      const checked = attr(c, 'checked') !== null;
      if (type === 'radio') radios.set(name, (radios.get(name) ?? false) || checked);
      if (checked) entries.push([name, attr(c, 'value') ?? 'on']);
    } else if (type === 'password') {
      // Django renders password inputs empty: posted back, the field would be emptied.
      entries.push([name, attr(c, 'value') ?? '']);
      unreadable.set(name, 'is a password field whose value the page does not show');
    } else if (!NOT_DATA.has(type)) entries.push([name, attr(c, 'value') ?? '']);
  }
  // Radio buttons with none checked: as with a select, the stored value is not among them.
  for (const [name, checked] of radios) if (!checked) unreadable.set(name, NOT_AMONG_CHOICES);
  return { element: form, action: new URL(attr(form, 'action') || pageUrl, pageUrl).toString(), entries, names, checkboxes, submits, grouped, unreadable };
}

/**
 * The fields a post of this form would overwrite with a guess, leaving aside
 * those the write sets itself: a write through a form with any is refused,
 * naming them, before anything is sent.
 */
export function guessedFields(form: AdminForm, changes: Record<string, unknown>): Array<{ field: string; message: string }> {
  return [...form.unreadable].filter(([name]) => !(name in changes)).map(([field, message]) => ({ field, message }));
}

/** The first POST form whose controls include every one of `names` (forms are told apart by their fields, not their ids). */
export function findForm(root: Element, pageUrl: string, names: readonly string[]): AdminForm | null {
  for (const f of findAll(root, (e) => e.tagName === 'form')) {
    if ((attr(f, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const form = readForm(f, pageUrl);
    if (names.every((n) => form.names.has(n) || form.submits.has(n))) return form;
  }
  return null;
}

export function entryValue(form: AdminForm, name: string): string | null {
  return form.entries.find(([n]) => n === name)?.[1] ?? null;
}

/**
 * The body to post: the form's own entries with `changes` applied (a string
 * replaces a field's value, a boolean ticks or clears a checkbox), plus the
 * submit button pressed.
 */
export function formBody(form: AdminForm, changes: Record<string, string | boolean>, submit?: string): URLSearchParams {
  let entries = form.entries.map(([n, v]): [string, string] => [n, v]);
  for (const [name, value] of Object.entries(changes)) {
    if (typeof value === 'boolean') {
      entries = entries.filter(([n]) => n !== name);
      if (value) entries.push([name, form.checkboxes.get(name) ?? 'on']);
    } else if (entries.some(([n]) => n === name)) {
      entries = entries.map(([n, v]) => [n, n === name ? value : v]);
    } else entries.push([name, value]);
  }
  if (submit) entries.push([submit, form.submits.get(submit) ?? '']);
  return new URLSearchParams(entries);
}

export interface FormErrors {
  fields: Array<{ field: string; message: string }>;
  /** Errors about the form as a whole, and Django's "Please correct the errors below." */
  general: string[];
}

/** The one named control a part of the page is about, if there is exactly one. */
function soleControlName(e: Element): string | null {
  const names = new Set(findAll(e, (c) => CONTROLS.has(c.tagName) && attr(c, 'type') !== 'hidden' && attr(c, 'name') !== null).map((c) => attr(c, 'name')!));
  return names.size === 1 ? [...names][0]! : null;
}

/**
 * Django's form errors: each `ul.errorlist` belongs to the field whose
 * `field-<name>` row (the admin's fieldsets) or whose sole control (simpler
 * templates such as the password form) surrounds it; `nonfield` lists and
 * `p.errornote` are about the whole form.
 */
export function formErrors(root: Element): FormErrors {
  const out: FormErrors = { fields: [], general: [] };
  for (const note of findAll(root, (e) => e.tagName === 'p' && hasClass(e, 'errornote'))) out.general.push(text(note));
  for (const list of findAll(root, (e) => e.tagName === 'ul' && hasClass(e, 'errorlist'))) {
    const messages = findAll(list, (e) => e.tagName === 'li')
      .map(text)
      .filter(Boolean);
    let field: string | null = null;
    if (!hasClass(list, 'nonfield')) {
      const idMatch = /^id_(.+)_error$/.exec(attr(list, 'id') ?? '');
      field = idMatch ? idMatch[1]! : null;
      for (const a of field ? [] : closestFieldRows(list)) {
        field = [...a.classes].find((c) => c.startsWith('field-'))?.slice('field-'.length) ?? soleControlName(a.element);
        if (field) break;
      }
    }
    for (const message of messages) {
      if (field) out.fields.push({ field, message });
      else out.general.push(message);
    }
  }
  return out;
}

function* closestFieldRows(list: Element): Generator<{ element: Element; classes: Set<string> }> {
  let e = list.parentNode as Element | null;
  for (let depth = 0; e && 'tagName' in e && e.tagName !== 'form' && depth < 4; depth++) {
    yield { element: e, classes: new Set((attr(e, 'class') ?? '').split(/\s+/)) };
    e = e.parentNode as Element | null;
  }
}

/** Django's messages framework (`ul.messagelist`): success, warning and error sentences after a redirect. */
export function messages(root: Element): Array<{ level: string; text: string }> {
  return findAll(root, (e) => e.tagName === 'li' && closest(e, (a) => a.tagName === 'ul' && hasClass(a, 'messagelist')) !== null).map((li) => ({
    level: (attr(li, 'class') ?? 'info').split(/\s+/)[0] ?? 'info',
    text: text(li),
  }));
}
