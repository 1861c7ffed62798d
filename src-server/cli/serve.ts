import { buildApp } from '../app.ts';
import { openRuntime } from '../runtime.ts';
import type { Out } from './output.ts';

/**
 * `serve`: open the data dir, build the app, listen, print the URL (the
 * actual port when `--port 0` asked for a free one), stop cleanly on signals.
 */
export async function serve(overrides: Record<string, unknown>, out: Out): Promise<number> {
  const rt = await openRuntime(overrides);
  const { config } = rt;
  const app = await buildApp(config, {
    db: rt.db,
    secrets: rt.secrets,
    // Logs go to stderr so stdout carries only the URL line (scripts read it).
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, stream: process.stderr },
  });
  if (rt.envCreated) app.log.info({ path: `${config.dataDir}/.env` }, 'created .env with new random secrets (mode 0600); keep it with the database');
  if (rt.secretsWarning) app.log.error(rt.secretsWarning);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await rt.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw Object.assign(new Error(`port ${config.port} on ${config.host} is already in use: pick another with --port (0 picks a free one)`), { code });
    if (code === 'EACCES') throw new Error(`not allowed to listen on ${config.host}:${config.port}: ports below 1024 need privileges`);
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const registration = await app.services.signup.state();
  if (out.json) out.print({ url, port, data_dir: config.dataDir, database: rt.db.location, ...registration });
  else {
    process.stdout.write(`Graphistry Admin server listening on ${url}\n`);
    out.info(`data: ${config.dataDir} (${rt.db.dialect}: ${rt.db.location})`);
    if (!registration.has_users) {
      out.info(
        registration.first_signup_needs_setup_token
          ? 'No users yet: the first sign-up (with the setup token) becomes the administrator.'
          : `No users yet: the first sign-up at ${url} becomes the administrator (superuser + staff), then sign-up closes.`,
      );
    }
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await rt.close();
  return 0;
}
