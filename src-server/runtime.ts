import { loadConfig, type ServerConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { loadOrCreateSecrets, readDotenv, type Secrets } from './secrets.ts';
import { checkSecretsFingerprint, createServices, type Services } from './services.ts';
import { dataDirExposure } from './lib/private-files.ts';

export interface Runtime {
  config: ServerConfig;
  db: Db;
  secrets: Secrets;
  services: Services;
  /** Set when `.env` does not match the database: one sentence to log. */
  secretsWarning: string | null;
  /** Set when others can read the data dir or its database or `.env`: one sentence to log. */
  exposureWarning: string | null;
  envCreated: boolean;
  close(): Promise<void>;
}

/**
 * Everything a process needs to act on a data dir: config (flags > env >
 * `.env` > defaults), secrets (created on first start), the database
 * (migrated), and the services. Shared by `serve` and every CLI command.
 */
export async function openRuntime(overrides: Record<string, unknown>, opts: { serving?: boolean } = {}): Promise<Runtime> {
  const preliminary = loadConfig({ ...overrides }, process.env, {});
  // Judged before this process creates anything, so only what someone else made open is reported.
  const exposureWarning = dataDirExposure(preliminary.dataDir);
  const config = loadConfig(overrides, process.env, readDotenv(preliminary.dataDir));
  const { secrets, created } = loadOrCreateSecrets(config.dataDir);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, databaseThread: opts.serving === true });
  const secretsWarning = await checkSecretsFingerprint(db, secrets);
  const services = await createServices(config, { db, secrets });
  return { config, db, secrets, services, secretsWarning, exposureWarning, envCreated: created, close: () => db.close() };
}
