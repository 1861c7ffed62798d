import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { hmacSha256Hex } from './lib/crypto.ts';

/**
 * The server's secrets, kept in `<dataDir>/.env` (mode 0600) and created on the
 * first start. Copying `.env` with the database keeps every personal key and
 * token valid; a different `.env` invalidates them (see `secretsFingerprint`).
 */
export interface Secrets {
  /** PKCS#8 PEM of the ES256 key that signs JWTs. */
  jwtPrivateKeyPem: string;
  /** Pepper for the keyed hash of personal-key secrets. */
  keyPepper: Buffer;
  /** General secret (sessions, CSRF, invitations). */
  secretKey: Buffer;
  /** AES-256 key for the SSO client secrets stored in the database (sso/secret-box.ts). */
  ssoKey: Buffer;
}

export const SECRET_VARS = {
  jwt: 'GRAPHISTRY_ADMIN_JWT_PRIVATE_KEY',
  pepper: 'GRAPHISTRY_ADMIN_KEY_PEPPER',
  secret: 'GRAPHISTRY_ADMIN_SECRET_KEY',
  sso: 'GRAPHISTRY_ADMIN_SSO_KEY',
} as const;

export function envFilePath(dataDir: string): string {
  return join(dataDir, '.env');
}

/** Parse the simple `KEY=value` format of `.env` (comments and blank lines allowed, optional quotes). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    let value = m[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

export function readDotenv(dataDir: string): Record<string, string> {
  const path = envFilePath(dataDir);
  return existsSync(path) ? parseDotenv(readFileSync(path, 'utf8')) : {};
}

/**
 * Read the secrets from `.env`, creating the file with fresh random secrets
 * when it is absent (written to a temp file and renamed, so a crash never
 * leaves half a file). Missing variables in an existing file are appended.
 */
export function loadOrCreateSecrets(dataDir: string): { secrets: Secrets; created: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = envFilePath(dataDir);
  const existed = existsSync(path);
  const current = existed ? readFileSync(path, 'utf8') : '';
  const vars = parseDotenv(current);
  const additions: string[] = [];
  if (!vars[SECRET_VARS.jwt]) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    vars[SECRET_VARS.jwt] = der.toString('base64');
    additions.push(`${SECRET_VARS.jwt}=${vars[SECRET_VARS.jwt]}`);
  }
  if (!vars[SECRET_VARS.pepper]) {
    vars[SECRET_VARS.pepper] = randomBytes(32).toString('base64');
    additions.push(`${SECRET_VARS.pepper}=${vars[SECRET_VARS.pepper]}`);
  }
  if (!vars[SECRET_VARS.secret]) {
    vars[SECRET_VARS.secret] = randomBytes(32).toString('base64');
    additions.push(`${SECRET_VARS.secret}=${vars[SECRET_VARS.secret]}`);
  }
  // Added to an existing .env on the first start of a version with single sign-on; kept from then on.
  if (!vars[SECRET_VARS.sso]) {
    vars[SECRET_VARS.sso] = randomBytes(32).toString('base64');
    additions.push(`${SECRET_VARS.sso}=${vars[SECRET_VARS.sso]}`);
  }
  if (additions.length > 0) {
    const header = existed
      ? ''
      : '# Graphistry Admin server secrets. Keep this file with the database:\n' + '# losing it invalidates every API key and token. Mode 0600.\n';
    const body = (current && !current.endsWith('\n') ? current + '\n' : current) + header + additions.join('\n') + '\n';
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, body, { mode: 0o600 });
    renameSync(tmp, path);
  }
  chmodSync(path, 0o600);
  return { secrets: decodeSecrets(vars), created: !existed };
}

export function decodeSecrets(vars: Record<string, string>): Secrets {
  const der = Buffer.from(vars[SECRET_VARS.jwt] ?? '', 'base64');
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const pepper = Buffer.from(vars[SECRET_VARS.pepper] ?? '', 'base64');
  const secret = Buffer.from(vars[SECRET_VARS.secret] ?? '', 'base64');
  if (pepper.length < 16 || secret.length < 16) {
    throw new Error(`${SECRET_VARS.pepper} and ${SECRET_VARS.secret} in .env must each hold at least 16 bytes (base64)`);
  }
  const ssoKey = Buffer.from(vars[SECRET_VARS.sso] ?? '', 'base64');
  if (ssoKey.length !== 32) throw new Error(`${SECRET_VARS.sso} in .env must hold exactly 32 bytes (base64)`);
  return {
    jwtPrivateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    keyPepper: pepper,
    secretKey: secret,
    ssoKey,
  };
}

/**
 * A value stored in the database that proves which secrets it was created
 * with, without revealing them. A mismatch at startup means `.env` was lost or
 * replaced, so every existing key and token is now invalid.
 */
export function secretsFingerprint(s: Secrets): string {
  return hmacSha256Hex(s.keyPepper, 'graphistry-admin/secrets-fingerprint/v1:' + s.jwtPrivateKeyPem).slice(0, 32);
}
