import { z } from 'zod';

/**
 * Runtime settings, like django-constance: typed keys with defaults and
 * descriptions, stored in the database and read on each use, so a change
 * applies on the next request in every process sharing the database.
 * Graphistry's own key names are kept.
 */
export const SETTINGS = {
  IS_SIGNUPS_OPEN_AFTER_FIRST: {
    schema: z.boolean(),
    default: false,
    description: 'Keep self-registration open after the first (administrator) account has been created.',
  },
  IS_SIGNUP_STAFF_BY_DEFAULT: {
    schema: z.boolean(),
    default: false,
    description: 'Make newly self-registered users staff (Jupyter and investigation access) by default.',
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingsValues = { [K in SettingKey]: z.infer<(typeof SETTINGS)[K]['schema']> };
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function isSettingKey(k: string): k is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, k);
}

export function defaultSettings(): SettingsValues {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS[k].default])) as SettingsValues;
}

/** Parse a value typed on a command line ("true", "off", "1") for a setting. */
export function parseSettingText(key: SettingKey, text: string): SettingsValues[SettingKey] {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new Error(`${key} takes true or false, not "${text}"`);
}
