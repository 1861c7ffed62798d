import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { gunzipSync } from 'node:zlib';
import { TEST_PG_URL, urlWithSchema } from './postgres.ts';
import type { DialectName, TestApp } from './app.ts';
import type { Place } from '../../src-server/backup/backup-service.ts';

/** Shared by the backup, restore and move tests: where a test app's database is, the CLI, and rewriting a backup file. */

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

export function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `graphistry-admin backup FILE --json` as its own process, as an admin runs it beside a serving server: its pid, and its end. */
export function backupProcess(file: string, dataDir: string, databaseUrl: string | null) {
  const proc = spawn(process.execPath, [BIN, 'backup', file, '--data-dir', dataDir, '--json'], {
    env: { ...process.env, DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c) => (out += String(c)));
  proc.stderr.on('data', (c) => (err += String(c)));
  return {
    pid: proc.pid!,
    done: new Promise<{ code: number | null; out: string; err: string }>((resolve) => proc.once('close', (code) => resolve({ code, out, err }))),
  };
}

export function placeOf(dialect: DialectName, dataDir: string, schema: string | null): Place {
  return dialect === 'postgres' ? { dataDir, databaseUrl: urlWithSchema(schema!) } : { dataDir };
}

export const placeOfApp = (dialect: DialectName, t: TestApp): Place => placeOf(dialect, t.dataDir, t.pgSchema);

export function backupLines(file: string): string[] {
  const raw = readFileSync(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** Writes `lines` (without the final checksum line) to `file`, followed by a correct file checksum: a well-formed file with other content. */
export function writeWithChecksum(file: string, lines: string[]): void {
  const hash = createHash('sha256');
  for (const l of lines) hash.update(l + '\n');
  writeFileSync(file, [...lines, JSON.stringify({ file_sha256: hash.digest('hex') })].join('\n') + '\n', { mode: 0o600 });
}

/** What a refused restore must have left: no database file and no .env in the data dir, no table in the PostgreSQL schema. */
export async function targetUntouched(dataDir: string, schema: string | null): Promise<{ files: string[]; tables: number }> {
  const files = existsSync(dataDir) ? readdirSync(dataDir) : [];
  let tables = 0;
  if (schema) {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      tables = Number((await client.query('select count(*) as n from information_schema.tables where table_schema = $1', [schema])).rows[0].n);
    } finally {
      await client.end();
    }
  }
  return { files, tables };
}
