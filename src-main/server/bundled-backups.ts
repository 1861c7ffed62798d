import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BundledBackup, BundledBackups } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { defaultServerCommand, serveEnv, type ServerCommand } from './server-command.ts';

const run = promisify(execFile);
const NAME = /^backup-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.jsonl\.gz$/;
/** The dataset of the backup issue (10,000 users, 100,000 audit rows) takes seconds; a minute is plenty, and the console says so if not. */
const BACKUP_TIMEOUT_MS = 10 * 60_000;

export interface BundledBackupsOptions {
  /** The bundled server's data folder (its database and `.env`). */
  dataDir: string;
  /** Where backups go (the console's data folder, `backups/`). */
  backupsDir: string;
  command?: ServerCommand;
}

function describe(dir: string, name: string): BundledBackup {
  const file = join(dir, name);
  const st = statSync(file);
  return { file, at: st.mtime.toISOString(), bytes: st.size };
}

/**
 * "Back up now" for the bundled server: its own `backup FILE` command
 * (src-server/backup/), run as a child the way the server itself is run, on
 * its data folder. It is safe while the server serves (a consistent snapshot),
 * so the console never stops the server for it. Files are named by time and
 * never overwritten; the latest is what the card shows.
 */
export function createBundledBackups(opts: BundledBackupsOptions) {
  const command = opts.command ?? defaultServerCommand();
  let running: Promise<BundledBackup> | null = null;

  function list(): BundledBackups {
    let names: string[];
    try {
      names = readdirSync(opts.backupsDir).filter((n) => NAME.test(n));
    } catch {
      names = []; // no backup made yet: the folder is made with the first
    }
    const latest = names.sort().at(-1);
    return { dir: opts.backupsDir, count: names.length, last: latest ? describe(opts.backupsDir, latest) : null };
  }

  async function backUp(): Promise<BundledBackup> {
    mkdirSync(opts.backupsDir, { recursive: true, mode: 0o700 });
    const name = `backup-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl.gz`;
    const file = join(opts.backupsDir, name);
    try {
      await run(command.execPath, [...command.args, 'backup', file, '--data-dir', opts.dataDir, '--json'], {
        env: serveEnv(command),
        timeout: BACKUP_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (error instanceof Error ? error.message : String(error));
      throw new ConsoleFailure({ code: 'SERVER_ERROR', message: `The backup failed: ${detail}` });
    }
    return describe(opts.backupsDir, name);
  }

  return {
    list,
    /** One backup at a time: a second press while one runs waits for it. */
    backUp: () => (running ??= backUp().finally(() => (running = null))),
  };
}
export type BundledBackupsService = ReturnType<typeof createBundledBackups>;
