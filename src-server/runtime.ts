import { loadConfig, type ServerConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { loadOrCreateSecrets, readDotenv, type Secrets } from './secrets.ts';
import { checkSecretsFingerprint, createServices, type Services } from './services.ts';

export interface Runtime {
  config: ServerConfig;
  db: Db;
  secrets: Secrets;
  services: Services;
  /** Set when `.env` does not match the database: one sentence to log. */
  secretsWarning: string | null;
  envCreated: boolean;
  close(): Promise<void>;
}

/**
 * Everything a process needs to act on a data dir: config (flags > env >
 * `.env` > defaults), secrets (created on first start), the database
 * (migrated), and the services. Shared by `serve` and every CLI command.
 */
export async function openRuntime(overrides: Record<string, unknown>): Promise<Runtime> {
  const preliminary = loadConfig({ ...overrides }, process.env, {});
  const config = loadConfig(overrides, process.env, readDotenv(preliminary.dataDir));
  const { secrets, created } = loadOrCreateSecrets(config.dataDir);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const secretsWarning = await checkSecretsFingerprint(db, secrets);
  const services = await createServices(config, { db, secrets });
  return { config, db, secrets, services, secretsWarning, envCreated: created, close: () => db.close() };
}
