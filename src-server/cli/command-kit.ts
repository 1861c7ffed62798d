import type { Runtime } from '../runtime.ts';
import type { Out } from './output.ts';

/** What every command is made of, shared by the command tables (commands.ts, org-commands.ts) and cli.ts. */

export type Values = Record<string, string | boolean | string[] | undefined>;
export interface Ctx {
  values: Values;
  positionals: string[];
  out: Out;
}
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once (the values come as a list). */
  multiple?: boolean;
  help?: string;
}
export interface CommandSpec {
  name: string;
  args?: string;
  summary: string;
  details?: string;
  options?: Record<string, OptionSpec>;
  run(ctx: Ctx): Promise<number | void>;
}

export const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A mistake in how the command was called: cli.ts prints it with the command's help, exit 2. */
export function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

export function overridesOf(v: Values): Record<string, unknown> {
  return {
    ...(v['data-dir'] ? { dataDir: v['data-dir'] } : {}),
    ...(v['database-url'] ? { databaseUrl: v['database-url'] } : {}),
  };
}

export { cliActor } from '../lib/cli-actor.ts';

export async function withRuntime<T>(v: Values, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  // Loaded on demand so `--help` and usage errors answer without loading the server.
  const { openRuntime } = await import('../runtime.ts');
  const rt = await openRuntime(overridesOf(v));
  if (rt.secretsWarning) process.stderr.write(`warning: ${rt.secretsWarning}\n`);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Exactly `n` positional arguments, named by `names` in the usage error. */
export function need(ctx: Ctx, n: number, names: string): string[] {
  if (ctx.positionals.length !== n) throw usage(`expected ${names}`);
  return ctx.positionals;
}
