import { join } from 'node:path';
import { readKeptFile, writeKeptFile } from '../server/port-file.ts';
import { newConsoleToken } from './guards.ts';
import { createWebHost, type WebHost, type WebHostOptions } from './web-host.ts';

/** Web mode's port and token, in the console's data folder beside `profiles.json` and `bundled-server.json`. */
export const WEB_HOST_FILE = 'web-host.json';

export interface Place {
  port: number;
  token: string;
}

/** As `newConsoleToken` makes them (256 bits); anything shorter or odd is not trusted. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43,128}$/;

/**
 * What the last launch kept. The token is used again only from a private
 * file (0600, ours): one that others could read may have been read, so it
 * gets a new token (the port is still good). Never echoes the token.
 *
 * Why keeping the token is acceptable (it used to be new on every launch):
 * it guards the bridge against other local accounts and against web pages,
 * which reach 127.0.0.1 too; both are still kept out. Web pages never learn
 * it (Host, Origin and the custom header checks are unchanged), and other
 * accounts cannot read a 0600 file in this user's data folder any more than
 * they could read this user's terminal, where the per-launch URL was printed.
 * Whoever can read the file as this user can already run the console, open
 * its keychain entries and read that scrollback. What does get weaker is the
 * token's lifetime: an old URL (in scrollback, the browser's history, a copy
 * or backup of the data folder) keeps working until the token is replaced,
 * where it used to die with its launch. `--new-token` replaces it, and a
 * record found readable by others is replaced on its own.
 */
export function readPlace(file: string): { port: number | null; token: string | null; notice: string | null } {
  const kept = readKeptFile(file);
  if (!kept.ok) {
    const notice = kept.why === 'missing' ? null : `${file} could not be used (${kept.why}): this launch has a new port and token`;
    return { port: null, token: null, notice };
  }
  const { port, token } = (typeof kept.value === 'object' && kept.value !== null ? kept.value : {}) as { port?: unknown; token?: unknown };
  const goodPort = typeof port === 'number' && Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
  const goodToken = typeof token === 'string' && TOKEN_SHAPE.test(token) ? token : null;
  if (goodToken && !kept.private) {
    return {
      port: goodPort,
      token: null,
      notice: `${file} was readable by other users: its token is replaced (open the new URL below), and the file is private again`,
    };
  }
  const notice =
    goodPort === null || goodToken === null
      ? `${file} is incomplete: this launch has a new ${[goodPort === null && 'port', goodToken === null && 'token'].filter(Boolean).join(' and ')}`
      : null;
  return { port: goodPort, token: goodToken, notice };
}

export interface OpenOptions extends Omit<WebHostOptions, 'port' | 'token'> {
  /** The console's data folder: the place is kept in its `web-host.json`. */
  dataDir: string;
  /** `--port`: this port (0: a free one), kept for later launches. Absent: the kept port, or a free one. */
  port?: number;
  /** `--new-token`: tabs and links of earlier launches stop working. */
  newToken?: boolean;
  /** A sentence for the admin (stdout: it explains why an open tab must be opened again). */
  say(line: string): void;
}

const inUse = (e: unknown) => (e as NodeJS.ErrnoException).code === 'EADDRINUSE';

/**
 * Web mode's host on the port and with the token of the last launch, so a
 * tab left open reconnects with a reload. A kept port another program holds
 * now gives way to a free one, said plainly; a port asked for with `--port`
 * does not (the caller says it is taken). The place used is kept for next time.
 */
export async function openWebHost(opts: OpenOptions): Promise<WebHost> {
  const { dataDir, port: asked, newToken, say, ...hostOpts } = opts;
  const file = join(dataDir, WEB_HOST_FILE);
  const kept = readPlace(file);
  if (kept.notice) say(kept.notice);
  if (newToken && kept.token) say('A new token, as asked (--new-token): tabs and links from earlier launches now get a page asking for the new URL');
  const token = (!newToken && kept.token) || newConsoleToken();

  let host: WebHost;
  if (asked !== undefined || kept.port === null) host = await createWebHost({ ...hostOpts, port: asked ?? 0, token });
  else {
    try {
      host = await createWebHost({ ...hostOpts, port: kept.port, token });
    } catch (e) {
      if (!inUse(e)) throw e;
      host = await createWebHost({ ...hostOpts, port: 0, token });
      say(
        `Port ${kept.port}, this console's port until now, is taken by another program: serving on port ${host.port} instead, and keeping it from now on. Tabs still open on port ${kept.port} must be opened again from the URL below`,
      );
    }
  }
  try {
    writeKeptFile(file, { port: host.port, token } satisfies Place);
  } catch (e) {
    say(
      `Could not keep this launch's port and token in ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the next launch gets a new URL`,
    );
  }
  return host;
}
