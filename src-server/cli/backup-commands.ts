import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { readDotenv } from '../secrets.ts';
import { redactUrl } from '../db/database.ts';
import type { CopySummary, Place } from '../backup/backup-service.ts';
import { terminalProgress } from '../backup/progress.ts';
import { table, type Out } from './output.ts';
import { need, overridesOf, usage, type CommandSpec, type Values } from './command-kit.ts';

/**
 * `backup FILE`, `restore FILE` and `db move --to …` (src-server/backup/):
 * they read the data dir and database directly, without opening the server's
 * runtime, which would migrate the source or create a `.env` in the target.
 */

/** Where the global options point: flags, then the environment, then the data dir's `.env` (as every command). */
function placeOf(v: Values): Place {
  const pre = loadConfig(overridesOf(v), process.env, {});
  const config = loadConfig(overridesOf(v), process.env, readDotenv(pre.dataDir));
  return { dataDir: config.dataDir, databaseUrl: config.databaseUrl };
}

function printCounts(out: Out, data: unknown, s: CopySummary, lead: string): void {
  const rows = Object.entries(s.tables).map(([name, t]) => ({ table: name, rows: t.rows, sha256: t.sha256.slice(0, 16) }));
  const total = rows.reduce((n, r) => n + r.rows, 0);
  out.print(
    data,
    () => `${table(rows, ['table', 'rows', 'sha256'])}\n\n${lead}\n${total} row(s) in ${rows.length} table(s); schema at ${s.migrations.at(-1)}.`,
  );
}

const SERVER_NOTE =
  'Stop the server first: writes it makes during the copy would not be in the target. On SQLite the command refuses while a server holds the data dir.';

export const BACKUP_COMMANDS: CommandSpec[] = [
  {
    name: 'backup',
    args: 'FILE',
    summary: 'write a backup of the database and the .env secrets to FILE (mode 0600; .gz compresses)',
    details:
      'Safe while the server keeps serving: a consistent snapshot (SQLite online backup; one repeatable-read transaction on PostgreSQL), taken at the lowest CPU priority so the server comes first. Never overwrites FILE. The file holds password hashes and the server secrets: keep it as safe as the data dir. See docs/backup.md.',
    run: async (ctx) => {
      const [file] = need(ctx, 1, 'FILE');
      const { backup } = await import('../backup/backup-service.ts');
      const s = await backup(placeOf(ctx.values), file!, terminalProgress('backing up'), { lowPriority: true });
      printCounts(ctx.out, s, s, `Backup of ${s.location} written to ${s.file}.`);
    },
  },
  {
    name: 'restore',
    args: 'FILE',
    summary: 'restore a backup into an empty data dir (SQLite) or an empty PostgreSQL database (--database-url)',
    details:
      'Checks the whole file first (checksums, schema version, secrets) and refuses a non-empty target; then loads every row in one transaction, writes the .env secrets into the data dir, and migrates an older schema forward.',
    run: async (ctx) => {
      const [file] = need(ctx, 1, 'FILE');
      const { restore } = await import('../backup/backup-service.ts');
      const into = placeOf(ctx.values);
      const s = await restore(into, file!, terminalProgress('restoring'));
      printCounts(ctx.out, s, s, `Restored into ${s.location}; the secrets are in ${resolve(into.dataDir, '.env')}.`);
    },
  },
  {
    name: 'db move',
    summary: 'copy the whole database to another one (SQLite → PostgreSQL or back); the source is left as it was',
    details: `--to takes a postgres:// URL, "sqlite" (this data dir's SQLite file) or sqlite:DIR (another data dir). The target must be empty; every table's rows are counted and checksummed after the copy, before it is committed. ${SERVER_NOTE} Afterwards it prints the DATABASE_URL change to make.`,
    options: { to: { type: 'string', help: 'postgres://… | sqlite | sqlite:DIR: the empty database to copy into' } },
    run: async (ctx) => {
      if (ctx.positionals.length) throw usage('db move takes no arguments');
      const to = ctx.values.to;
      if (typeof to !== 'string' || !to) throw usage('--to is required');
      const from = placeOf(ctx.values);
      let target: Place;
      if (/^postgres(ql)?:\/\//.test(to)) target = { dataDir: from.dataDir, databaseUrl: to };
      else if (to === 'sqlite') target = { dataDir: from.dataDir };
      else if (to.startsWith('sqlite:')) target = { dataDir: resolve(to.slice('sqlite:'.length)) };
      else throw usage('--to takes a postgres:// URL, sqlite, or sqlite:DIR');
      const { move } = await import('../backup/backup-service.ts');
      const s = await move(from, target, terminalProgress('copying'));
      const change = target.databaseUrl
        ? `Now set DATABASE_URL=${redactUrl(target.databaseUrl)} (with its password) in ${resolve(target.dataDir, '.env')} or the server's environment, and start the server.`
        : `Now remove DATABASE_URL from ${resolve(from.dataDir, '.env')} and the server's environment${target.dataDir !== from.dataDir ? `, and start the server with --data-dir ${target.dataDir}` : ', and start the server'}.`;
      printCounts(ctx.out, { ...s, next: change }, s, `Copied ${s.source} into ${s.location}; the source is unchanged.\n${change}`);
    },
  },
];
