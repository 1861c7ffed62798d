import { existsSync, readFileSync, renameSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { AppError } from '../errors.ts';
import { decodeSecrets, envFilePath, parseDotenv, readDotenv, SECRET_VARS } from '../secrets.ts';

/**
 * The `.env` values a copy must carry for what the database holds to keep
 * working: the JWT signing key (tokens issued before), the key pepper
 * (personal keys), the secret key (sessions, invitations, password links) and
 * the SSO key (IdP client secrets stored encrypted). Nothing else in `.env`
 * (settings, DATABASE_URL) is copied.
 */
export type EnvSecrets = Record<string, string>;
const NAMES = Object.values(SECRET_VARS);

/** The data dir's secrets; refused whole when one is missing or unusable. */
export function readEnvSecrets(dataDir: string, from = 'The data dir'): EnvSecrets {
  return checkEnvSecrets(readDotenv(dataDir), `${from}'s .env (${envFilePath(dataDir)})`);
}

export function checkEnvSecrets(vars: Record<string, string | undefined>, where: string): EnvSecrets {
  const missing = NAMES.filter((n) => !vars[n]);
  if (missing.length > 0) {
    throw new AppError(
      'BACKUP_SECRETS_MISSING',
      `${where} lacks ${missing.join(', ')}: without them no personal key, token or stored SSO secret would work after a restore.`,
    );
  }
  const out = Object.fromEntries(NAMES.map((n) => [n, vars[n]!]));
  try {
    decodeSecrets(out);
  } catch (e) {
    throw new AppError('BACKUP_SECRETS_MISSING', `${where} holds unusable secrets: ${(e as Error).message}.`);
  }
  return out;
}

/** Refuses a target data dir whose `.env` already holds other secrets (they would be lost, or the copy's keys would not work). */
export function checkEnvTarget(dataDir: string, secrets: EnvSecrets): void {
  const current = readDotenv(dataDir);
  const clash = NAMES.filter((n) => current[n] && current[n] !== secrets[n]);
  if (clash.length > 0) {
    throw new AppError(
      'ENV_CONFLICT',
      `${envFilePath(dataDir)} already holds other secrets (${clash.join(', ')}): use an empty data dir, or move that .env away first.`,
    );
  }
}

/** Adds the secrets `.env` lacks (written whole to a temp file and renamed, mode 0600); other lines are kept. */
export function writeEnvSecrets(dataDir: string, secrets: EnvSecrets): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = envFilePath(dataDir);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const have = parseDotenv(current);
  const add = NAMES.filter((n) => !have[n]).map((n) => `${n}=${secrets[n]}`);
  if (add.length === 0) return;
  const header = current ? '' : '# Graphistry Admin server secrets (restored from a backup). Keep this file with the database. Mode 0600.\n';
  const body = (current && !current.endsWith('\n') ? current + '\n' : current) + header + add.join('\n') + '\n';
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, body, { mode: 0o600 });
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}
