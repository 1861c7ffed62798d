import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src-server/app.ts';
import { loadConfig, type ServerConfig } from '../../src-server/config.ts';
import { openDatabase, type Db } from '../../src-server/db/database.ts';
import { loadOrCreateSecrets } from '../../src-server/secrets.ts';
import { checkSecretsFingerprint, type Services } from '../../src-server/services.ts';
import { createFastTestHasher, type PasswordHasher } from '../../src-server/lib/password-hasher.ts';
import type { Clock } from '../../src-server/lib/clock.ts';
import { createSchema, dropSchema, TEST_PG_URL } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dialects: string[];
  }
}

export type DialectName = 'sqlite' | 'postgres';

/** The dialects this run covers (both in CI); loop suites over it with describe.each. */
export function dialects(): DialectName[] {
  return inject('dialects') as DialectName[];
}

export interface TestApp {
  app: FastifyInstance & { services: Services };
  services: Services;
  db: Db;
  config: ServerConfig;
  dataDir: string;
  pgSchema: string | null;
  close(): Promise<void>;
}

export interface TestAppOptions {
  config?: Record<string, unknown>;
  /** Real argon2id instead of the fast test hasher. */
  argon2?: boolean;
  hasher?: PasswordHasher;
  clock?: Clock;
  dataDir?: string;
  pgSchema?: string;
  /** SQLite: the writer on its database thread, as `serve` runs it. */
  databaseThread?: boolean;
  /** Collect the server's log (level info) here, as `serve` writes it to stderr. */
  log?: { write(line: string): void };
}

export function tempDir(prefix = 'gadm-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real app on a real database: SQLite in a temp data dir, or PostgreSQL in a fresh schema. */
export async function makeTestApp(dialect: DialectName, opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = opts.dataDir ?? tempDir();
  const pgSchema = dialect === 'postgres' ? (opts.pgSchema ?? (await createSchema())) : null;
  const config = loadConfig({ dataDir, logLevel: 'silent', ...(dialect === 'postgres' ? { databaseUrl: TEST_PG_URL } : {}), ...opts.config }, {}, {});
  const { secrets } = loadOrCreateSecrets(dataDir);
  let db: Db;
  try {
    db = await openDatabase({
      dataDir,
      databaseUrl: config.databaseUrl,
      ...(pgSchema ? { pgSchema, pgPoolSize: 4 } : {}),
      ...(opts.databaseThread ? { databaseThread: true } : {}),
    });
  } catch (e) {
    if (pgSchema && !opts.pgSchema) await dropSchema(pgSchema);
    throw e;
  }
  await checkSecretsFingerprint(db, secrets);
  const hasher = opts.hasher ?? (opts.argon2 ? undefined : createFastTestHasher());
  const app = await buildApp(config, {
    db,
    secrets,
    ...(hasher ? { hasher } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.log ? { logger: { level: 'info', stream: opts.log } } : {}),
  });
  await app.ready();
  return {
    app,
    services: app.services,
    db,
    config,
    dataDir,
    pgSchema,
    async close() {
      await app.close();
      await db.close();
      if (pgSchema && !opts.pgSchema) await dropSchema(pgSchema);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const STRONG_PASSWORD = 'correct horse battery staple';

export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

export interface SignedUp {
  token: string;
  user: { id: number; username: string; is_staff: boolean; is_superuser: boolean };
  key: { id: string; secret: string; authorization: string };
}

export async function signup(app: FastifyInstance, username: string, password = STRONG_PASSWORD): Promise<SignedUp> {
  const res = await app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username, password } });
  if (res.statusCode !== 201) throw new Error(`signup ${username} failed: ${res.statusCode} ${res.body}`);
  return json<SignedUp>(res);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Create a user through the admin API and return it with its first key. */
export async function adminCreateUser(app: FastifyInstance, adminToken: string, body: Record<string, unknown>): Promise<SignedUp> {
  const res = await app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(adminToken), payload: { password: STRONG_PASSWORD, ...body } });
  if (res.statusCode !== 201) throw new Error(`create user failed: ${res.statusCode} ${res.body}`);
  const b = json<{ user: SignedUp['user']; key: SignedUp['key'] }>(res);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v2/auth/token/generate',
    payload: { username: b.user.username, password: body.password ?? STRONG_PASSWORD },
  });
  return { user: b.user, key: b.key, token: json<{ token: string }>(login).token };
}
