import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import type { SettingView } from '../../../src-shared/domain.ts';
import { findForm, formBody, formErrors, type AdminForm } from './admin-forms.ts';
import { attr, closest, find, findAll, hasClass, text, type Element } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';

/**
 * django-constance's settings page (`<admin>constance/config/`): one form
 * holding every setting, each field named after its setting, plus a
 * `version` hash that refuses a post made from a stale page. Booleans are
 * checkboxes and become the console's switches; every other setting is
 * shown read-only and posted back exactly as the page held it.
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

function kindOf(c: Element, value: string): SettingView['type'] {
  const type = (attr(c, 'type') ?? '').toLowerCase();
  if (c.tagName === 'input' && type === 'checkbox') return 'boolean';
  if (c.tagName === 'textarea') return 'text';
  if (c.tagName === 'select') return 'other';
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? 'number' : 'text';
}

function valueOf(kind: SettingView['type'], raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  return kind === 'number' ? Number(raw) : raw;
}

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
    const kind = name !== rawName ? 'datetime' : kindOf(c, values[0] ?? '');
    const current: string | boolean = kind === 'boolean' ? values.length > 0 : values.join(' ');
    const row = closest(c, (e) => e.tagName === 'tr');
    const help = row ? find(row, (e) => hasClass(e, 'help')) : null;
    const reset = find(root, (e) => hasClass(e, 'reset-link') && attr(e, 'data-field-id') === attr(c, 'id'));
    const def = reset ? (attr(reset, 'data-default') ?? '').trim() : null;
    out.push({
      key: name,
      value: valueOf(kind, current),
      default: def === null ? null : kind === 'boolean' ? def === 'true' : valueOf(kind, def),
      type: kind,
      description: help ? text(help) : '',
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
    if (bad.length) throw new ConsoleFailure({ code: 'VALIDATION', serverCode: 'VALIDATION', message: `Cannot change ${bad.map((b) => b.field).join(', ')}.`, fields: bad });
    const answer = await ctx.session.post(new URL(form.action), formBody(form, changes), url);
    if (answer.status >= 300 && answer.status < 400) return getSettings(ctx);
    if (answer.status !== 200) throw failureForPage(answer, ctx.host, 'change its settings');
    const errors = formErrors(answer.html);
    // The version check failed (another admin saved meanwhile): apply the same switches to the fresh page, once.
    const stale = errors.fields.some((f) => f.field === 'version') || findAll(answer.html, (e) => hasClass(e, 'errorlist')).some((e) => /modified by someone else/i.test(text(e)));
    if (stale && attempt === 0) continue;
    throw new ConsoleFailure({
      code: stale ? 'CONFLICT' : 'VALIDATION',
      serverCode: stale ? 'SETTINGS_CHANGED' : 'VALIDATION',
      message: errors.general.find((g) => !/please correct/i.test(g)) ?? errors.fields[0]?.message ?? 'The admin site refused the settings.',
      ...(errors.fields.length ? { fields: errors.fields } : {}),
    });
  }
}
