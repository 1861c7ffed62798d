import { CONSOLE_METHODS } from '../../../src-shared/console-api.ts';
import type { ConsoleApi } from '../../../src-shared/console-api.ts';
import type { Result } from '../../../src-shared/console-errors.ts';

/**
 * Takes the web-mode token from the address the page was opened with and
 * removes it from the address bar and history at once, so it is not left in
 * a bookmark, a screenshot or a shared link. It lives only in memory from
 * here on; a reload without it gets 401 from every bridge call.
 */
export function takeTokenFromLocation(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return token;
}

async function call(method: string, params: unknown, token: string): Promise<Result<unknown>> {
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
    return { ok: false, error: { code: 'UNREACHABLE', message: 'The console host does not answer; is `npm start` still running in its terminal?' } };
  }
  if (res.status === 401) {
    return { ok: false, error: { code: 'UNAUTHORIZED', message: 'This page has no valid console token: open the URL that `npm run console:web` printed.' } };
  }
  try {
    return (await res.json()) as Result<unknown>;
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: `The console host answered ${res.status} without a result.` } };
  }
}

/** `ConsoleApi` over the web host's `POST /bridge/<method>`, the same contract the preload exposes. */
export function createWebBridge(token: string): ConsoleApi {
  const entries = CONSOLE_METHODS.map((method) => [method, (params: unknown) => call(method, params, token)] as const);
  return Object.freeze(Object.fromEntries(entries)) as unknown as ConsoleApi;
}
