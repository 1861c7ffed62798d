import type { BundledServerStatus } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { readPort, writePort } from './port-file.ts';
import type { BundledServer } from '../contracts.ts';
import { exitText, lastError, startFailure, summarize } from './failure.ts';
import { createLogBuffer } from './log-buffer.ts';
import { defaultServerCommand, serveArgs, serveEnv, type ServerCommand } from './server-command.ts';
import { spawnServer, type ServerChild } from './server-child.ts';
import { ChildExitedError, DeadlineError, waitHealthy, whileAlive } from './wait-ready.ts';

export interface BundledServerOptions {
  dataDir: string;
  /** 0 (the default) lets the system pick a free loopback port; with `portFile`, only the first time. */
  port?: number;
  /**
   * Where the port of the last start is kept, so the server comes back on
   * the same address and links made with it (invitations, the sign-up page)
   * keep working across restarts. A port taken meanwhile gives way to a free one.
   */
  portFile?: string;
  /** Default: this Node running bin/graphistry-admin.js. */
  command?: ServerCommand;
  startTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL. */
  stopTimeoutMs?: number;
  /** Lines of output kept for `log()`. */
  logLines?: number;
}

/**
 * The embedded server as a child process: stopped -> starting -> running ->
 * stopping -> stopped, or running -> crashed when it dies on its own. A start
 * that fails leaves it `stopped` with `last_error` set (nothing crashed: it
 * never ran) and throws the ConsoleFailure.
 *
 * @example
 * const server = createBundledServer({ dataDir: join(app.getPath('userData'), 'server') });
 * server.onChange((s) => window.webContents.send('server', s));
 * const { url } = await server.start();
 */
export function createBundledServer(opts: BundledServerOptions): BundledServer {
  const port = opts.port ?? 0;
  const command = opts.command ?? defaultServerCommand();
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
  const log = createLogBuffer(opts.logLines ?? 2_000);
  const listeners = new Set<(status: BundledServerStatus) => void>();
  let status: BundledServerStatus = Object.freeze({ state: 'stopped', url: null, pid: null, data_dir: opts.dataDir, last_error: null, started_at: null });
  let child: ServerChild | null = null;
  let starting: Promise<BundledServerStatus> | null = null;
  let stopping: Promise<BundledServerStatus> | null = null;
  let abortStart = false;

  const set = (patch: Partial<BundledServerStatus>) => {
    status = Object.freeze({ ...status, ...patch });
    for (const listener of listeners) {
      try {
        listener(status);
      } catch {
        // A broken listener must not leave the state machine half-updated.
      }
    }
  };

  async function terminate(c: ServerChild): Promise<void> {
    c.kill('SIGTERM');
    if (await exitsWithin(c, stopTimeoutMs)) return;
    log.note(`no exit ${stopTimeoutMs / 1000} s after SIGTERM; sending SIGKILL`);
    c.kill('SIGKILL');
    await exitsWithin(c, 5_000);
  }

  function watchForCrash(c: ServerChild): void {
    void c.exited.then((exit) => {
      log.note(`server process ${c.pid ?? '?'} ended (${exit.spawnError ? exit.spawnError.message : exitText(exit)})`);
      if (child !== c) return;
      child = null;
      // Only a running server "crashes"; start and stop handle their own exits.
      if (status.state !== 'running') return;
      const why = lastError(c.tail()) ?? 'it reported no error first (its log may say more)';
      set({ state: 'crashed', url: null, pid: null, started_at: null, last_error: `The bundled server stopped unexpectedly (${exitText(exit)}): ${why}.` });
    });
  }

  async function launch(): Promise<BundledServerStatus> {
    const remembered = port === 0 && opts.portFile ? readPort(opts.portFile) : null;
    if (remembered === null) return launchOn(port);
    try {
      return await launchOn(remembered);
    } catch (e) {
      if (!(e instanceof ConsoleFailure && e.error.code === 'PORT_IN_USE') || abortStart) throw e;
      log.note(`port ${remembered} is taken by another program now: starting on a free port (links made with the old address stop working)`);
      return launchOn(0);
    }
  }

  async function launchOn(port: number): Promise<BundledServerStatus> {
    abortStart = false;
    const args = serveArgs(command, { port, dataDir: opts.dataDir });
    log.note(`starting: serve --host 127.0.0.1 --port ${port} --data-dir ${opts.dataDir}`);
    let c: ServerChild;
    try {
      c = spawnServer(command.execPath, args, serveEnv(command), log);
    } catch (e) {
      // spawn() throws outright on malformed arguments (most failures arrive later as 'error').
      const message = `The bundled server could not be launched with ${command.execPath}: ${(e as Error).message}.`;
      set({ state: 'stopped', url: null, pid: null, last_error: message });
      throw new ConsoleFailure({ code: 'SERVER_FAILED', message });
    }
    child = c;
    watchForCrash(c);
    set({ state: 'starting', url: null, pid: c.pid, last_error: null, started_at: null });
    const deadline = Date.now() + startTimeoutMs;
    try {
      const url = await whileAlive(c, deadline, c.listening);
      await whileAlive(c, deadline, waitHealthy(url, deadline, c));
      if (abortStart) throw new ChildExitedError(await c.exited);
      set({ state: 'running', url, started_at: new Date().toISOString() });
      log.note(`ready at ${url}`);
      if (opts.portFile) writePort(opts.portFile, url, log.note);
      return status;
    } catch (e) {
      if (!c.hasExited()) await terminate(c);
      const failure = launchFailure(e, c);
      set({ state: 'stopped', url: null, pid: null, last_error: abortStart ? null : failure.message });
      throw failure;
    }
  }

  function launchFailure(e: unknown, c: ServerChild): ConsoleFailure {
    if (abortStart) return new ConsoleFailure({ code: 'SERVER_FAILED', message: 'The bundled server was stopped before it was ready.' });
    if (e instanceof DeadlineError) {
      return new ConsoleFailure({
        code: 'SERVER_FAILED',
        message: `The bundled server was not ready within ${startTimeoutMs / 1000} s: ${summarize(c.tail())}.`,
      });
    }
    if (e instanceof ChildExitedError && e.exit.spawnError) {
      return new ConsoleFailure({
        code: 'SERVER_FAILED',
        message: `The bundled server could not be launched with ${command.execPath}: ${e.exit.spawnError.message}.`,
      });
    }
    if (e instanceof ChildExitedError) return startFailure(c.tail(), e.exit);
    return new ConsoleFailure({ code: 'SERVER_FAILED', message: `The bundled server did not start: ${(e as Error).message}.` });
  }

  const server: BundledServer = {
    async start() {
      // Re-checked after each wait: two calls made during a stop must not launch two servers.
      while (stopping) await stopping.catch(() => undefined);
      if (starting) return starting;
      if (status.state === 'running') return status;
      starting = launch().finally(() => (starting = null));
      return starting;
    },
    async stop() {
      if (stopping) return stopping;
      if (starting && child) {
        abortStart = true;
        await terminate(child);
        await starting.catch(() => undefined);
        return status;
      }
      const c = child;
      if (!c || status.state !== 'running') return status;
      stopping = (async () => {
        set({ state: 'stopping' });
        log.note(`stopping server process ${c.pid ?? '?'}`);
        await terminate(c);
        child = null;
        set({ state: 'stopped', url: null, pid: null, started_at: null, last_error: null });
        return status;
      })().finally(() => (stopping = null));
      return stopping;
    },
    status: () => status,
    log: (lines) => log.tail(lines),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return server;
}

async function exitsWithin(c: ServerChild, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([c.exited.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
