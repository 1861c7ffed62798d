import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The bundled server's last port, as `{"port": N}` in the console's data
 * folder. Anything unreadable means "no port kept": the system picks one.
 */
export function readPort(file: string): number | null {
  try {
    const { port } = JSON.parse(readFileSync(file, 'utf8')) as { port?: unknown };
    return typeof port === 'number' && Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
  } catch {
    return null;
  }
}

/** Keep the port of `url` for the next start (written whole or not at all). A failure only costs the next start its old address. */
export function writePort(file: string, url: string, note: (line: string) => void): void {
  try {
    const port = Number(new URL(url).port);
    if (!Number.isInteger(port) || port <= 0) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ port })}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    note(`could not keep the port for the next start: ${(e as Error).message}`);
  }
}
