import type { z } from 'zod';
import { consoleParams } from '../../src-shared/console-api.ts';
import type { ConsoleMethod } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { ConsoleFieldIssue, Result } from '../../src-shared/console-errors.ts';
import type { ConsoleHandlers } from '../contracts.ts';

/** Answers one bridge message: a method name and its raw, untrusted parameters. */
export type Dispatch = (method: string, raw: unknown) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /** Where unexpected failures are reported (the renderer only sees a generic sentence). */
  log?: (msg: string) => void;
}

/** Own keys only: `__proto__` or `toString` must not count as methods. */
export function isConsoleMethod(method: string): method is ConsoleMethod {
  return Object.hasOwn(consoleParams, method);
}

/**
 * The one place where a bridge message becomes a handler call, shared by the
 * Electron IPC handlers and the web-mode host so both validate identically.
 *
 * Parameters are never logged: they carry passwords and key secrets.
 */
export function createDispatcher(handlers: ConsoleHandlers, opts: DispatcherOptions = {}): Dispatch {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  return async (method, raw) => {
    if (!isConsoleMethod(method)) {
      return { ok: false, error: { code: 'VALIDATION', message: `Unknown method ${JSON.stringify(method.slice(0, 64))}.` } };
    }
    const parsed = consoleParams[method].safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'VALIDATION', message: 'Some values are not valid; see the fields.', fields: fieldIssues(parsed.error) },
      };
    }
    // One handler per method; the table's type guarantees each takes this method's parsed params.
    const handler = handlers[method] as (params: unknown) => Promise<unknown>;
    try {
      const value = await handler(parsed.data);
      // `undefined` would vanish from JSON and IPC alike; the contract says `null`.
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      if (err instanceof ConsoleFailure) return { ok: false, error: err.error };
      const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
      log(`console bridge: ${method} failed unexpectedly: ${detail}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong in the console; the details are in its log.' } };
    }
  };
}

/** zod issues as field messages; an unknown key becomes one issue per key so the UI can name it. */
export function fieldIssues(error: z.ZodError): ConsoleFieldIssue[] {
  const out: ConsoleFieldIssue[] = [];
  for (const issue of error.issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: at ? `${at}.${key}` : key, message: 'is not a known field', rule: issue.code });
    } else {
      out.push({ field: at, message: issue.message, rule: issue.code });
    }
  }
  return out;
}
