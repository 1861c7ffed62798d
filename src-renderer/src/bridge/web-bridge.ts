import { CONSOLE_METHODS } from '../../../src-shared/console-api.ts';
import type { ConsoleApi } from '../../../src-shared/console-api.ts';
import type { Result } from '../../../src-shared/console-errors.ts';

/** Where this tab keeps the web-mode token: this tab and this origin (127.0.0.1:<port>) only, gone when the tab closes. */
const TOKEN_SLOT = 'graphistry-admin-console.token';

/**
 * The web-mode token: from the address the page was opened with (and then
 * removed from the address bar and history at once, so it is not left in a
 * bookmark, a screenshot or a shared link), or from this tab's session
 * storage, so a reload, back and forward keep working. A page opened from
 * an earlier launch's link brings that launch's token: the host refuses it
 * and the console says so.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    try {
      window.sessionStorage.setItem(TOKEN_SLOT, fromUrl);
    } catch {
      // Storage refused (a private window's quota): the token lives in memory only, and a reload asks for the link again.
    }
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_SLOT);
  } catch {
    return null;
  }
}

/** How the console host answered the last call: it works, it does not answer, or it refuses this page's token. */
export type HostState = 'up' | 'down' | 'token-refused';

async function call(method: string, params: unknown, token: string, report: (s: HostState) => void): Promise<Result<unknown>> {
  let res: Response;
  try {
    res = await fetch(`/bridge/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': token },
      body: JSON.stringify(params),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    report('down');
    return { ok: false, error: { code: 'UNREACHABLE', message: 'The console is not answering: is `npm start` still running in its terminal?' } };
  }
  if (res.status === 401) {
    report('token-refused');
    return {
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'This link is from an earlier launch of the console: open the URL that `npm start` printed.' },
    };
  }
  report('up');
  try {
    return (await res.json()) as Result<unknown>;
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: `The console host answered ${res.status} without a result.` } };
  }
}

/** `ConsoleApi` over the web host's `POST /bridge/<method>`, the same contract the preload exposes. */
export function createWebBridge(token: string, report: (s: HostState) => void = () => undefined): ConsoleApi {
  const entries = CONSOLE_METHODS.map((method) => [method, (params: unknown) => call(method, params, token, report)] as const);
  return Object.freeze(Object.fromEntries(entries)) as unknown as ConsoleApi;
}
