import type { ConsoleApi, ConsoleMethod, ConsoleParams, ConsoleResults } from '../../../src-shared/console-api.ts';
import type { ConsoleError, Result } from '../../../src-shared/console-errors.ts';

/**
 * The renderer's one way to the main process. Screens and stores call
 * `call(method, params)`; nothing in the renderer speaks HTTP to a server.
 */
let current: ConsoleApi | null = null;

export function setApi(api: ConsoleApi): void {
  current = api;
}

export function hasApi(): boolean {
  return current !== null;
}

let staleListener: (() => void) | null = null;
/** Connections this page signed in to or connected itself (the others were made in another tab or window). */
const ownConnections = new Set<string>();

/** Whether this page made the connection (connect, sign-in, first admin), rather than another tab or window. */
export function madeHere(connection: string): boolean {
  return ownConnections.has(connection);
}

/** Called whenever main refuses a call as prepared for another connection (the app store then asks where it is now). */
export function onStaleConnection(fn: () => void): void {
  staleListener = fn;
}

export async function call<M extends ConsoleMethod>(method: M, params: ConsoleParams<M>): Promise<Result<ConsoleResults[M]>> {
  if (!current) return { ok: false, error: { code: 'NOT_CONNECTED', message: 'The console bridge is not available.' } };
  const fn = current[method] as (p: ConsoleParams<M>) => Promise<Result<ConsoleResults[M]>>;
  try {
    const r = await fn(params);
    if (!r.ok && r.error.code === 'STALE_CONNECTION') staleListener?.();
    if (r.ok && (method === 'connect' || method === 'signIn' || method === 'signUpFirstAdmin')) {
      const made = (r.value as ConsoleResults['connect']).connection;
      if (made) ownConnections.add(made);
    }
    return r;
  } catch {
    // IPC itself failed (the main process went away): still a value, never a throw.
    return { ok: false, error: { code: 'INTERNAL', message: 'The console main process did not answer.' } };
  }
}

/** Field errors of a failed call, keyed by field, for showing each next to its input. */
export function fieldErrors(error: ConsoleError | null | undefined): Record<string, string> {
  return Object.fromEntries((error?.fields ?? []).map((f) => [f.field, f.message]));
}

/**
 * A sentence for an error. The main process's messages already say what to
 * do (which host did not answer, which certificate failed, that `npm start`
 * stopped), so nothing generic is added to them.
 */
export function describeError(error: ConsoleError): string {
  switch (error.code) {
    case 'NOT_CONNECTED':
      return 'Not connected: choose a connection and sign in.';
    default:
      return error.message;
  }
}
