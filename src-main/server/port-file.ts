import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A small JSON record the console keeps in its data folder between starts
 * (the bundled server's port in `bundled-server.json`, web mode's port and
 * token in `web-host.json`), as read back.
 */
export type KeptFile =
  | {
      ok: true;
      value: unknown;
      /** Readable and writable by this user only (mode 0600 or stricter, owned by us); always true on Windows, where the folder's ACL decides. */
      private: boolean;
    }
  | { ok: false; why: 'missing' | 'not JSON' | 'unreadable' };

export function readKeptFile(file: string): KeptFile {
  let text: string;
  let isPrivate = true;
  try {
    text = readFileSync(file, 'utf8');
    if (process.platform !== 'win32') {
      const { mode, uid } = statSync(file);
      isPrivate = (mode & 0o077) === 0 && uid === process.getuid?.();
    }
  } catch (e) {
    return { ok: false, why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown, private: isPrivate };
  } catch {
    // Not JSON.parse's message: it would quote the file's content, which may be a secret.
    return { ok: false, why: 'not JSON' };
  }
}

/**
 * Replace `file` with `value` as JSON, mode 0600, whole or not at all: a
 * fresh temp file in the same folder renamed over the old one, so a crash
 * or a full disk leaves the old record, never half of one. Throws on failure.
 */
export function writeKeptFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    // 'wx' after removing a leftover: the mode is only applied to a file this call creates.
    rmSync(tmp, { force: true });
    writeFileSync(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The bundled server's last port, as `{"port": N}` in the console's data
 * folder. Anything unreadable means "no port kept": the system picks one.
 */
export function readPort(file: string): number | null {
  const kept = readKeptFile(file);
  if (!kept.ok || typeof kept.value !== 'object' || kept.value === null) return null;
  const { port } = kept.value as { port?: unknown };
  return typeof port === 'number' && Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
}

/** Keep the port of `url` for the next start (written whole or not at all). A failure only costs the next start its old address. */
export function writePort(file: string, url: string, note: (line: string) => void): void {
  try {
    const port = Number(new URL(url).port);
    if (!Number.isInteger(port) || port <= 0) return;
    writeKeptFile(file, { port });
  } catch (e) {
    note(`could not keep the port for the next start: ${(e as Error).message}`);
  }
}
