import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import type { SettingView } from '../../../src-shared/domain.ts';
import { findForm, formBody, formErrors, guessedFields, type AdminForm } from './admin-forms.ts';
import { attr, closest, find, findAll, hasClass, text, type Element } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';

/**
 * django-constance's settings page (`<admin>constance/config/`): one form
 * holding every setting, each field named after its setting, plus a
 * `version` hash that refuses a post made from a stale page. A setting that
 * is one checkbox is a boolean and becomes a switch; every other setting
 * (several checkboxes of one name are a multiple choice, not a switch) is
 * shown read-only with its value and posted back exactly as the page held
 * it. A setting whose value the page does not show (a select whose stored
 * value is no longer among its choices) blocks every change: posting the
 * form would overwrite it.
 */
const SKIP = new Set(['csrfmiddlewaretoken', 'version']);

interface SettingsPage {
  url: URL;
  form: AdminForm;
  settings: SettingView[];
}

function control(root: Element, name: string): Element | null {
  return find(root, (e) => (e.tagName === 'input' || e.tagName === 'textarea' || e.tagName === 'select') && attr(e, 'name') === name);
}

function kindOf(c: Element, form: AdminForm, name: string, value: string): SettingView['type'] {
  const type = (attr(c, 'type') ?? '').toLowerCase();
  if (c.tagName === 'input' && type === 'checkbox') return form.grouped.has(name) ? 'other' : 'boolean';
  if (c.tagName === 'textarea') return 'text';
  if (c.tagName === 'select') return 'other';
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? 'number' : 'text';
}

function valueOf(kind: SettingView['type'], raw: string | boolean | string[]): unknown {
  if (typeof raw !== 'string') return raw;
  return kind === 'number' ? Number(raw) : raw;
}

const UNSHOWN = ' (Its stored value is not among the choices its form offers, so the console cannot show it.)';

function readSettings(root: Element, form: AdminForm): SettingView[] {
  const out: SettingView[] = [];
  const seen = new Set<string>();
  for (const rawName of form.names) {
    if (SKIP.has(rawName)) continue;
    // A date-time setting is two inputs, NAME_0 and NAME_1 (Django's split widget).
    const split = /^(.+)_([01])$/.exec(rawName);
    const name = split && form.names.has(`${split[1]}_0`) && form.names.has(`${split[1]}_1`) ? split[1]! : rawName;
    if (seen.has(name)) continue;
    seen.add(name);
    const c = control(form.element, name === rawName ? name : `${name}_0`);
    if (!c) continue;
    const values = form.entries.filter(([n]) => n === name || n === `${name}_0` || n === `${name}_1`).map(([, v]) => v);
    const kind = name !== rawName ? 'datetime' : kindOf(c, form, name, values[0] ?? '');
    const unshown = form.unreadable.has(name);
    const current = kind === 'boolean' ? values.length > 0 : form.grouped.has(name) ? values : values.join(' ');
    const row = closest(c, (e) => e.tagName === 'tr');
    const help = row ? find(row, (e) => hasClass(e, 'help')) : null;
    // Its reset link names the field's own id (`id_<name>`, the list around a group of checkboxes).
    const ids = [attr(c, 'id'), `id_${name}`];
    const reset = find(root, (e) => hasClass(e, 'reset-link') && ids.includes(attr(e, 'data-field-id')));
    const def = reset ? (attr(reset, 'data-default') ?? '').trim() : null;
    out.push({
      key: name,
      value: unshown ? null : valueOf(kind, current),
      default: def === null ? null : kind === 'boolean' ? def === 'true' : valueOf(kind, def),
      type: kind,
      description: `${help ? text(help) : ''}${unshown ? UNSHOWN : ''}`.trim(),
      updated_at: null,
      updated_by: null,
      read_only: kind !== 'boolean' || attr(c, 'disabled') !== null,
    });
  }
  return out;
}

async function settingsPage(ctx: RemoteContext): Promise<SettingsPage> {
  const url = (await ctx.site()).constance;
  if (!url) throw remoteErrors.unsupported(`The admin site at ${ctx.host} has no runtime settings (django-constance) this account can see.`);
  const page = await ctx.session.page(url, ctx.session.admin);
  if (page.status !== 200) throw failureForPage(page, ctx.host, 'show its settings');
  const root = page.html;
  const form = findForm(root, page.url.toString(), ['version']);
  if (!form) throw remoteErrors.unexpected(ctx.host, 'its settings page');
  return { url, form, settings: readSettings(root, form) };
}

export async function getSettings(ctx: RemoteContext): Promise<SettingView[]> {
  return (await settingsPage(ctx)).settings;
}

export async function setSettings(ctx: RemoteContext, changes: Record<string, boolean | string>): Promise<SettingView[]> {
  for (let attempt = 0; ; attempt++) {
    const { url, form, settings } = await settingsPage(ctx);
    const bad = Object.keys(changes).flatMap((key) => {
      const s = settings.find((x) => x.key === key);
      if (!s) return [{ field: key, message: 'is not a setting of this server' }];
      return s.read_only || typeof changes[key] !== 'boolean' ? [{ field: key, message: 'is not a switch: change it in the admin site' }] : [];
    });
    if (bad.length)
      throw new ConsoleFailure({ code: 'VALIDATION', serverCode: 'VALIDATION', message: `Cannot change ${bad.map((b) => b.field).join(', ')}.`, fields: bad });
    const guessed = guessedFields(form, changes);
    if (guessed.length) throw remoteErrors.unreadableField(ctx.host, 'its settings', guessed);
    const answer = await ctx.session.post(new URL(form.action), formBody(form, changes), url);
    if (answer.status >= 300 && answer.status < 400) return getSettings(ctx);
    if (answer.status !== 200) throw failureForPage(answer, ctx.host, 'change its settings');
    const errors = formErrors(answer.html);
    // The version check failed (another admin saved meanwhile): apply the same switches to the fresh page, once.
    const stale =
      errors.fields.some((f) => f.field === 'version') ||
      findAll(answer.html, (e) => hasClass(e, 'errorlist')).some((e) => /modified by someone else/i.test(text(e)));
    if (stale && attempt === 0) continue;
    throw new ConsoleFailure({
      code: stale ? 'CONFLICT' : 'VALIDATION',
      serverCode: stale ? 'SETTINGS_CHANGED' : 'VALIDATION',
      message: errors.general.find((g) => !/please correct/i.test(g)) ?? errors.fields[0]?.message ?? 'The admin site refused the settings.',
      ...(errors.fields.length ? { fields: errors.fields } : {}),
    });
  }
}
