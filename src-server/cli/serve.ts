import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { acquireDataDirLock, type DataDirLock } from '../lib/data-dir-lock.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { readDotenv } from '../secrets.ts';
import type { Out } from './output.ts';
import pino from 'pino';

/**
 * `serve`: open the data dir, build the app, listen, print the URL (the
 * actual port when `--port 0` asked for a free one), stop cleanly on signals.
 */
export async function serve(overrides: Record<string, unknown>, out: Out): Promise<number> {
  // Taken before the database is opened: a refused second server must not
  // touch it, not even to run migrations.
  const lock = lockUnlessShared(overrides);
  let rt: Runtime;
  try {
    rt = await openRuntime(overrides, { serving: true });
  } catch (e) {
    lock?.release();
    throw e;
  }
  const { config } = rt;
  // Logs go to stderr so stdout carries only the URL line (scripts read it), through pino's
  // asynchronous destination: a write to a file or to a pipe whose reader is slow waits on libuv's
  // pool, not on the event loop, and pino writes what is left synchronously at exit. No pid/hostname
  // on every line (one process, one host).
  const logSink = pino.destination({ dest: 2, sync: false });
  const app = await buildApp(config, {
    db: rt.db,
    secrets: rt.secrets,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, stream: logSink, base: null },
    logSink,
  });
  // Listening for the stop signals before the URL is printed: whoever starts us may send SIGTERM the
  // moment it reads that line, and a signal with no handler yet kills the process without a clean stop.
  const watchStdin = process.env.GRAPHISTRY_ADMIN_STOP_ON_STDIN_EOF === '1';
  let onSignal: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = resolve;
    // The console's launcher gives us a pipe as stdin and never writes to it:
    // the pipe closes when the console dies in any way (even SIGKILL or a
    // crash, where its exit handlers never run), so no orphan keeps the port
    // and the data dir lock. Opt-in, since a server under systemd has an
    // empty stdin from the start.
    if (watchStdin) {
      process.stdin.once('end', () => resolve());
      process.stdin.resume();
    }
  });
  const signalled = () => onSignal();
  process.on('SIGINT', signalled);
  process.on('SIGTERM', signalled);
  if (rt.envCreated) app.log.info({ path: `${config.dataDir}/.env` }, 'created .env with new random secrets (mode 0600); keep it with the database');
  if (rt.secretsWarning) app.log.error(rt.secretsWarning);
  if (rt.exposureWarning) app.log.warn(rt.exposureWarning);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    if (watchStdin) process.stdin.destroy();
    await rt.close();
    lock?.release();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw Object.assign(new Error(`port ${config.port} on ${config.host} is already in use: pick another with --port (0 picks a free one)`, { cause: e }), {
        code,
      });
    if (code === 'EACCES') throw new Error(`not allowed to listen on ${config.host}:${config.port}: ports below 1024 need privileges`, { cause: e });
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const registration = await app.services.signup.state();
  if (out.json) out.print({ url, port, data_dir: config.dataDir, database: rt.db.location, gates: config.gates, ...registration });
  else {
    process.stdout.write(`Graphistry Admin server listening on ${url}\n`);
    out.info(`data: ${config.dataDir} (${rt.db.dialect}: ${rt.db.location})`);
    for (const g of config.gates) out.info(`gate ${g.name}: ${url}${g.prefix} -> ${g.upstream} (staff only)`);
    if (!registration.has_users) {
      out.info(
        registration.first_signup_needs_setup_token
          ? 'No users yet: the first sign-up (with the setup token) becomes the administrator.'
          : `No users yet: the first sign-up at ${url} becomes the administrator (superuser + staff), then sign-up closes.`,
      );
    }
  }
  await stopRequested;
  if (watchStdin) process.stdin.destroy();
  // A second signal ends the grace period at once.
  onSignal = () => app.server.closeAllConnections();
  await shutDown(app, config.gracefulTimeout * 1000);
  await rt.close();
  lock?.release();
  return 0;
}

/**
 * Stop listening and close idle keep-alive connections at once; requests in
 * flight get `graceMs` to finish (new ones on their connections answer 503),
 * then every connection left is closed, so a slow or stalled client can never
 * keep the process (and the data dir's lock) alive.
 */
async function shutDown(app: Awaited<ReturnType<typeof buildApp>>, graceMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

/** The SQLite data dir's lock; none for PostgreSQL, which several servers share by design. */
function lockUnlessShared(overrides: Record<string, unknown>): DataDirLock | null {
  // The same resolution as openRuntime: DATABASE_URL may come from the data dir's .env.
  const preliminary = loadConfig({ ...overrides }, process.env, {});
  const config = loadConfig(overrides, process.env, readDotenv(preliminary.dataDir));
  return config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
}
