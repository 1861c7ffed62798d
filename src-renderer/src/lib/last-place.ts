import { hashToRoute } from './route.ts';

/**
 * The address (screen and its own state, `#/audit?actor=ali`) the admin was
 * last on, for a console opened with no screen in its address: the printed
 * URL in a new tab (or the desktop app started again, where its storage
 * persists). localStorage is per origin, which in web mode stays the same
 * across launches because the port does (see src-main/web/keep-place.ts).
 * It holds an address, never a token or any server's data.
 */
const SLOT = 'graphistry-admin-console.last-place';

/** The setup wizard and a sign-in card are where boot sends an admin, not places to return to. */
const worthKeeping = (hash: string) => {
  const r = hashToRoute(hash);
  return r !== null && r.name !== 'wizard' && r.name !== 'sign-in';
};

/** Note the current address, if it is a screen worth coming back to. */
export function rememberPlace(): void {
  const hash = window.location.hash;
  if (!worthKeeping(hash)) return;
  try {
    window.localStorage.setItem(SLOT, hash);
  } catch {
    // Storage refused (a private window's quota): a new tab opens on the default screen.
  }
}

/** An address with no screen in it gets the last one noted (replacing, not adding, a history step). */
export function reopenLastPlace(): void {
  if (hashToRoute(window.location.hash)) return;
  let hash: string | null;
  try {
    hash = window.localStorage.getItem(SLOT);
  } catch {
    return;
  }
  if (hash && worthKeeping(hash)) window.history.replaceState(window.history.state, '', hash);
}

// A screen's own state changes its address without a route change (the
// audit filters, the Users list's page): note it when the tab is left too.
globalThis.window?.addEventListener('pagehide', rememberPlace);
globalThis.document?.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') rememberPlace();
});
