import { create } from 'zustand';
import type { NewPersonalKey } from '../../../../src-shared/domain.ts';
import { routeToHash, type Route } from '../../lib/route.ts';
import { useApp } from '../../stores/app-store.ts';

/**
 * New users' first API keys, handed from the editor that created them to the
 * screen shown next (that user's editor, the Users list, or a blank "Add
 * user" form). "Save and add another" adds to the list rather than replacing
 * the last key: each stays until the admin dismisses it, and leaving with a
 * key nobody copied asks first. Nothing is stored: leaving forgets them all.
 */
export interface Held {
  username: string;
  key: NewPersonalKey;
  copied: boolean;
}

interface FreshKeyState {
  held: Held[];
  /** The screen they are shown on, as a hash. */
  on: string | null;
  hold(username: string, key: NewPersonalKey, on: Route): void;
  copied(keyId: string): void;
  dismiss(keyId: string): void;
  clear(): void;
}

export const useFreshKey = create<FreshKeyState>((set, get) => ({
  held: [],
  on: null,
  hold: (username, key, on) => set({ held: [...get().held, { username, key, copied: false }], on: routeToHash(on) }),
  copied: (keyId) => set({ held: get().held.map((h) => (h.key.id === keyId ? { ...h, copied: true } : h)) }),
  dismiss: (keyId) => set({ held: get().held.filter((h) => h.key.id !== keyId) }),
  clear: () => set({ held: [], on: null }),
}));

/** What leaving would lose: the sentence for the leave prompt, or null when every key was copied. */
export function uncopiedMessage(held: readonly Held[]): string | null {
  const names = held.filter((h) => !h.copied).map((h) => h.username);
  if (names.length === 0) return null;
  const who = names.length === 1 ? `${names[0]}’s first API key has` : `The first API keys of ${names.join(', ')} have`;
  return `${who} not been copied. A key is shown only once: after leaving, only a new key can replace it.`;
}

useApp.subscribe((s) => {
  const { held, on, clear } = useFreshKey.getState();
  if (held.length && routeToHash(s.route) !== on) clear();
});
