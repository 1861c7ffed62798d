import { madeHere } from '../lib/api.ts';
import { routeToHash } from '../lib/route.ts';
import { currentConnection, landingRoute, useApp } from './app-store.ts';
import { useToasts } from './toast-store.ts';

/**
 * The connection changed under this page without a switch made here: another
 * tab or window switched it, or signed in again. The screen lands as after a
 * switch made here (an editor goes back to Users, a list loses its search), so
 * a user id or a search from the old connection is never opened on the new
 * one, and the admin is told why the screen changed.
 */
export function followConnection(): () => void {
  return useApp.subscribe((s, prev) => {
    const now = currentConnection(s);
    const before = currentConnection(prev);
    if (!now || !before || now === before || madeHere(now)) return;
    const landing = landingRoute(s.route);
    if (window.location.hash !== routeToHash(landing)) window.history.replaceState(null, '', routeToHash(landing));
    if (routeToHash(landing) !== routeToHash(s.route)) useApp.setState({ route: landing });
    const name = s.status?.profile?.name;
    useToasts
      .getState()
      .show('info', name ? `The console is now connected to ${name} (changed in another window).` : 'The console signed in again in another window.', 8000);
  });
}
