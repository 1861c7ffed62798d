import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data dir holds password hashes (the SQLite database) and the server's
 * secrets (`.env`): only its owner should read it. New files are made 0600
 * and the dir 0700; an existing dir or database others can read is worth one
 * warning at start (changing modes an administrator chose is theirs to do).
 */

/**
 * Create `path` empty with mode 0600 unless it exists, so a library that
 * opens it next (better-sqlite3) does not create it with the umask's 0644.
 * SQLite gives its -wal and -shm files the database file's mode.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

/** One sentence naming what in the data dir others can read, or null. Windows has no such mode bits. */
export function dataDirExposure(dataDir: string, files: string[] = ['graphistry-admin.sqlite3', '.env']): string | null {
  if (process.platform === 'win32') return null;
  const exposed: string[] = [];
  for (const path of [dataDir, ...files.map((f) => join(dataDir, f))]) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // absent: nothing to expose
    }
    if (mode & 0o077) exposed.push(`${path} (mode 0${mode.toString(8)})`);
  }
  if (exposed.length === 0) return null;
  return `other users of this machine can reach the data dir, which holds password hashes and the server's secrets: ${exposed.join(', ')}; run chmod 700 ${dataDir} (and chmod 600 on the files in it)`;
}
