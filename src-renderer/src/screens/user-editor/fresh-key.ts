import { create } from 'zustand';
import type { NewPersonalKey } from '../../../../src-shared/domain.ts';
import { routeToHash, type Route } from '../../lib/route.ts';
import { useApp } from '../../stores/app-store.ts';

/**
 * A new user's first API key, handed from the editor that created the user
 * to the screen shown next (the editor of that user, the Users list, or a
 * blank "Add user" form). It is shown there once and forgotten as soon as
 * the admin goes anywhere else: the secret is never stored.
 */
interface Held {
  username: string;
  key: NewPersonalKey;
  /** The screen it belongs to, as a hash. */
  on: string;
}

interface FreshKeyState {
  held: Held | null;
  hold(username: string, key: NewPersonalKey, on: Route): void;
  clear(): void;
}

export const useFreshKey = create<FreshKeyState>((set) => ({
  held: null,
  hold: (username, key, on) => set({ held: { username, key, on: routeToHash(on) } }),
  clear: () => set({ held: null }),
}));

useApp.subscribe((s) => {
  const { held, clear } = useFreshKey.getState();
  if (held && routeToHash(s.route) !== held.on) clear();
});
