import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './app.ts';
import { freePort, waitForPort } from './free-port.ts';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export function nginxMissing(): string | null {
  return spawnSync(NGINX, ['-v']).status === 0 ? null : `nginx not found at ${NGINX}`;
}

/**
 * The nginx snippet exactly as the README shows it (between its
 * `<!-- nginx-snippet -->` markers), so the configuration people copy is the
 * one the end-to-end test runs.
 */
export function readmeNginxSnippet(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = /<!-- nginx-snippet:begin -->\s*```nginx\n([\s\S]*?)```\s*<!-- nginx-snippet:end -->/.exec(readme);
  if (!m) throw new Error('README.md has no nginx snippet between <!-- nginx-snippet:begin --> and <!-- nginx-snippet:end -->');
  return m[1]!;
}

export interface NginxProcess {
  url: string;
  port: number;
  dir: string;
  errorLog(): string;
  accessLog(): string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx as a child of the test, never the system's: its own prefix,
 * configuration, pid file, logs and temp folders in a temp dir, in the
 * foreground (no daemon, no master process), on a free loopback port.
 * `http` is what goes inside the http block; `PORT` in it is replaced.
 */
export async function startNginx(http: string): Promise<NginxProcess> {
  const dir = tempDir('gadm-nginx-');
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http.replaceAll('PORT', String(port))}
}
`;
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const proc: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (c) => (stderr += String(c)));
    try {
      await waitForPort(port, 10_000, () => proc.exitCode === null);
    } catch (e) {
      lastError = `${(e as Error).message}\n${stderr}\n${safeRead(join(dir, 'error.log'))}`;
      proc.kill('SIGKILL');
      if (/Address already in use/.test(lastError)) continue;
      break;
    }
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dir,
      errorLog: () => safeRead(join(dir, 'error.log')),
      accessLog: () => safeRead(join(dir, 'access.log')),
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGQUIT');
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`nginx did not start: ${lastError}`);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
