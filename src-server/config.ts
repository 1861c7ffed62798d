import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './lib/trust-proxy.ts';
import { gatesSchema } from './lib/gate-config.ts';
import { SERVER_ENV_NAMES } from '../src-shared/server-env.ts';

/**
 * Server configuration: one schema, parsed once, frozen, passed in.
 * Sources, highest first: explicit overrides (CLI flags), the process
 * environment, the data dir's `.env`, then the defaults below.
 * Secrets are not here: they come from `.env` through `loadSecrets`.
 */
const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolFrom = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes' || v === 'on');

export const configSchema = z.object({
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: intFrom(0, 65535).default(8000),
  /** Graphistry's name and default: access token lifetime in seconds. */
  jwtExpirationDelta: intFrom(30, 31 * 24 * 3600).default(3600),
  /** Graphistry's name and default: refresh window from the original login, in seconds. */
  jwtRefreshExpirationDelta: intFrom(60, 365 * 24 * 3600).default(86400),
  passwordMinLength: intFrom(8, 128).default(8),
  setupToken: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  /** Which X-Forwarded-For entries to believe: false, a hop count, or proxy addresses (see lib/trust-proxy.ts). */
  trustProxy: z
    .unknown()
    .transform((v, ctx): TrustProxy => {
      try {
        return parseTrustProxy(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .default(false),
  /**
   * One less than the CPU count (at least one): a core stays free for the
   * event loop during a burst of sign-ins, so forward-auth checks and API
   * calls keep their latency (forward-auth bench on 2 cores: the check's p99
   * during 16 sign-ins in flight went from 3.9-4.5 ms to 2.0-2.6 ms, level
   * with a bare node:http server's in the same windows). The hashing threads'
   * lower priority alone does not do it: the kernel lets a running thread
   * finish its slice before a woken one gets the core.
   */
  hashConcurrency: intFrom(1, 64).default(Math.max(1, availableParallelism() - 1)),
  hashQueueLimit: intFrom(1, 100_000).default(512),
  throttleWindowSeconds: intFrom(1, 24 * 3600).default(900),
  throttleAccountFailures: intFrom(1, 10_000).default(10),
  throttleAddressFailures: intFrom(1, 100_000).default(100),
  /** Anonymous single sign-on starts per address in a window: every sign-in is one, so it is generous (a few hundred analysts behind one NAT). */
  throttleSsoStarts: intFrom(1, 1_000_000).default(1000),
  /** Usable personal keys one user may hold at once (revoked and expired ones do not count); at most one API page's worth. */
  maxKeysPerUser: intFrom(1, 500).default(100),
  /**
   * Django's name. The pages' cookies are Secure, with `__Host-` names, on every request that
   * came over HTTPS (directly, or X-Forwarded-Proto from a proxy TRUST_PROXY believes) whatever
   * this says; on, every request counts as HTTPS, for a TLS proxy that does not send the header.
   */
  sessionCookieSecure: boolFrom.default(false),
  /** Django's name and default: absolute session lifetime, 2 weeks. */
  sessionCookieAge: intFrom(60, 365 * 24 * 3600).default(1_209_600),
  /** A session unused for this long ends, whatever its absolute lifetime. */
  sessionIdleTimeout: intFrom(60, 365 * 24 * 3600).default(86_400),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds a request may take to arrive whole (headers and body); slow senders are cut off. */
  requestTimeout: intFrom(1, 3600).default(30),
  /** Seconds an idle keep-alive connection stays open (gunicorn's --keep-alive). */
  keepAliveTimeout: intFrom(1, 600).default(5),
  /** Seconds in-flight requests get after SIGTERM before their connections are closed (gunicorn's --graceful-timeout). */
  gracefulTimeout: intFrom(0, 600).default(10),
  /** Services reachable through the built-in gate, staff only: `name=/prefix/=http://host:port` each. */
  gates: gatesSchema.default([]),
});

export type ServerConfig = Readonly<z.infer<typeof configSchema>>;

/** Environment variable names for each setting (src-shared/server-env.ts, which the console reads too): every setting has one. */
export const ENV_NAMES: Record<keyof z.input<typeof configSchema>, string> = SERVER_ENV_NAMES;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type RawConfig = Partial<Record<keyof typeof ENV_NAMES, unknown>>;

/**
 * Merge the sources and validate once. Throws `ConfigError` listing every bad
 * setting, so startup fails with the whole list rather than the first problem.
 */
export function loadConfig(overrides: RawConfig, env: Record<string, string | undefined> = process.env, dotenv: Record<string, string> = {}): ServerConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_NAMES)) {
    const value = overrides[key as keyof RawConfig] ?? nonEmpty(env[envName]) ?? nonEmpty(dotenv[envName]);
    if (value !== undefined) raw[key] = value;
  }
  raw.dataDir = resolve(String(raw.dataDir ?? './data'));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        const envName = ENV_NAMES[key as keyof typeof ENV_NAMES];
        return `${envName ?? key}: ${i.message}`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
