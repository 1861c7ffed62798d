import type { PersonalKey } from '../../../../src-shared/domain.ts';

export type KeyStatus = 'active' | 'revoked' | 'expired';

const DAY_MS = 86_400_000;

/** The expiry choices of the create form; `days: null` is a key that never expires. */
export const KEY_EXPIRY_CHOICES = [
  { value: 'never', label: 'Never', days: null },
  { value: '7d', label: '7 days', days: 7 },
  { value: '30d', label: '30 days', days: 30 },
  { value: '90d', label: '90 days', days: 90 },
  { value: '1y', label: '1 year', days: 365 },
] as const;

export type KeyExpiryChoice = (typeof KEY_EXPIRY_CHOICES)[number]['value'];

export function isKeyExpiryChoice(v: string): v is KeyExpiryChoice {
  return KEY_EXPIRY_CHOICES.some((c) => c.value === v);
}

/**
 * The `expires_at` to send for a choice, counted from `now` (the moment the
 * admin presses Create, not when the form was first shown).
 */
export function expiryToIso(choice: KeyExpiryChoice, now: Date = new Date()): string | null {
  const days = KEY_EXPIRY_CHOICES.find((c) => c.value === choice)?.days ?? null;
  return days === null ? null : new Date(now.getTime() + days * DAY_MS).toISOString();
}

/**
 * Revoked wins over expired: a revoked key was stopped on purpose, which is
 * the more useful thing to say. The server's `is_active` is computed when the
 * list was fetched, so the expiry is checked again against `now`.
 */
export function keyStatus(key: Pick<PersonalKey, 'revoked_at' | 'expires_at' | 'is_active'>, now: Date = new Date()): KeyStatus {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() <= now.getTime()) return 'expired';
  return key.is_active ? 'active' : 'expired';
}

/** Active keys first (newest first), then the rest, so what can still be revoked is on top. */
export function sortKeys(keys: readonly PersonalKey[], now: Date = new Date()): PersonalKey[] {
  const rank = (k: PersonalKey) => (keyStatus(k, now) === 'active' ? 0 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || b.created_at.localeCompare(a.created_at));
}

/**
 * The console signs in with a personal key of its own, named by
 * `adoptMachineKey` in the main process. The renderer never learns which key
 * id that is, so the name is the only hint we can give before a revoke.
 */
export function looksLikeConsoleKey(name: string): boolean {
  return name.startsWith('Graphistry Admin Console on ');
}
