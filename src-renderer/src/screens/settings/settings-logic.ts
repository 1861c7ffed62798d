import type { SettingView } from '../../../../src-shared/domain.ts';

export const OPEN_REGISTRATION = 'IS_SIGNUPS_OPEN_AFTER_FIRST';
export const STAFF_BY_DEFAULT = 'IS_SIGNUP_STAFF_BY_DEFAULT';
export const PUBLIC_URL = 'PUBLIC_URL';
/** Graphistry's own name for it (a django-constance setting there), the same on the bundled server. */
export const SSO_SIGNUP = 'IS_SSO_SIGNUP';
/** Settings with their own words in the Registration card; any other the server has is listed under "Other settings". */
export const KNOWN_SETTINGS: readonly string[] = [OPEN_REGISTRATION, STAFF_BY_DEFAULT, SSO_SIGNUP, PUBLIC_URL];

/** The invitation lifetimes offered, in the hours the server takes (it allows 1..720). */
export const INVITE_EXPIRY_CHOICES = [
  { label: '1 day', hours: 24 },
  { label: '3 days', hours: 72 },
  { label: '7 days', hours: 168 },
  { label: '30 days', hours: 720 },
] as const;

/** The server's default (72 h), so the form and `invites create` agree. */
export const DEFAULT_INVITE_HOURS = 72;

/** A setting's value as a switch shows it; anything but `true` is off, like the server's own reading. */
export function isOn(settings: readonly SettingView[] | null, key: string): boolean {
  return settings?.find((s) => s.key === key)?.value === true;
}

/** A text setting's value ('' when unset or not text). */
export function textOf(settings: readonly SettingView[] | null, key: string): string {
  const v = settings?.find((s) => s.key === key)?.value;
  return typeof v === 'string' ? v : '';
}

/** The list with one value replaced, for the optimistic update (and its rollback). */
export function withValue(settings: readonly SettingView[], key: string, value: boolean | string): SettingView[] {
  return settings.map((s) => (s.key === key ? { ...s, value } : s));
}

/** What the toast says after a change; registration gets its own words because it is the one that matters most. */
export function changeMessage(key: string, value: boolean | string): string {
  if (key === OPEN_REGISTRATION) return value ? 'Registration is now open' : 'Registration is now invite-only';
  if (key === SSO_SIGNUP) return value ? 'SSO users now get an account on first sign-in' : 'SSO users now need an account made or invited first';
  if (key === PUBLIC_URL) return value ? `Links now use ${String(value)}` : 'Public URL cleared: links use the address the console uses';
  return 'Saved';
}

/**
 * What Undo after a switch's change sends: the one value that changed, put
 * back as it was, so a second switch changed meanwhile keeps its own value.
 * Null when there is nothing to put back (not a switch, or nothing moved).
 */
export function undoChange(key: string, before: unknown, saved: unknown): Record<string, boolean> | null {
  if (typeof before !== 'boolean' || typeof saved !== 'boolean' || before === saved) return null;
  return { [key]: before };
}

/** "Last changed by admin at <time>", or the default when nobody has changed it. */
export function lastChanged(setting: SettingView | undefined, format: (iso: string) => string): string {
  if (!setting?.updated_at) {
    // A Graphistry's settings (django-constance) keep no record of who changed them: say only what differs from the default.
    if (typeof setting?.default === 'boolean' && setting.value !== setting.default)
      return `Changed from the default (${setting.default ? 'on' : 'off'}); this server does not record by whom.`;
    return 'Never changed: this is the default.';
  }
  return `Last changed by ${setting.updated_by ?? 'an unknown user'} at ${format(setting.updated_at)}.`;
}

/** A read-only setting's value as text. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Under a switch the console knows nothing else about: its default. */
export function defaultNote(s: SettingView): string {
  if (typeof s.default !== 'boolean') return '';
  return `Default: ${s.default ? 'on' : 'off'}.`;
}
