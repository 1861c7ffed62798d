import { z } from 'zod';

/**
 * Runtime settings, like django-constance: typed keys with defaults and
 * descriptions, stored in the database and read on each use, so a change
 * applies on the next request in every process sharing the database.
 * Graphistry's own key names are kept.
 */
/**
 * An address people can open: http(s), a host, maybe a path prefix (behind a
 * proxy), never credentials, a query or a fragment. Kept without the final
 * slash, so paths are appended as they are. Empty: not set.
 */
const PUBLIC_URL_RULE = 'must be an http:// or https:// address without a query, e.g. https://graphistry.example.com';
export const publicUrlSchema = z
  .string({ error: PUBLIC_URL_RULE })
  .max(2000, { error: PUBLIC_URL_RULE })
  .transform((v) => v.trim().replace(/\/+$/, ''))
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return /^https?:$/.test(u.protocol) && u.hostname !== '' && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, PUBLIC_URL_RULE);

export const SETTINGS = {
  IS_SIGNUPS_OPEN_AFTER_FIRST: {
    type: 'boolean',
    schema: z.boolean(),
    default: false,
    description: 'Keep self-registration open after the first (administrator) account has been created.',
  },
  IS_SIGNUP_STAFF_BY_DEFAULT: {
    type: 'boolean',
    schema: z.boolean(),
    default: false,
    description: 'Make newly self-registered users staff (Jupyter and investigation access) by default.',
  },
  IS_ORG_CREATION_OPEN: {
    type: 'boolean',
    schema: z.boolean(),
    default: true,
    description: 'Let any signed-in user create organizations (they become its admin). Off: only superusers create them.',
  },
  IS_SSO_SIGNUP: {
    type: 'boolean',
    schema: z.boolean(),
    default: false,
    description:
      'Give people who sign in through single sign-on (OIDC) an account on their first sign-in. Off: an administrator must create or invite the account first.',
  },
  PUBLIC_URL: {
    type: 'text',
    schema: publicUrlSchema,
    default: '',
    description:
      'The address people use to reach this server, e.g. https://graphistry.example.com. Invitation links and the sign-up link are made with it. Empty: links are made with the address the console uses.',
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

/** Parse a value typed on a command line ("true", "off", "1"; an address) for a setting. */
export function parseSettingText(key: SettingKey, text: string): SettingsValues[SettingKey] {
  if (SETTINGS[key].type === 'text') {
    const parsed = SETTINGS[key].schema.safeParse(text);
    if (!parsed.success) throw new Error(`${key} ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
    return parsed.data;
  }
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new Error(`${key} takes true or false, not "${text}"`);
}
