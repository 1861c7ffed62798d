import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './app.ts';
import { documentedSnippet, programMissing, startFrontProxy, type FrontProxy } from './front-proxy.ts';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export const nginxMissing = (): string | null => programMissing(NGINX, ['-v']);

/** The nginx snippet of docs/staff-access.md, as people copy it. */
export const documentedNginxSnippet = (): string => documentedSnippet('nginx', 'nginx');

export type NginxProcess = FrontProxy;

/**
 * Debian's nginx as a child of the test, never the system's: its own prefix,
 * configuration, pid file, logs and temp folders in a temp dir, in the
 * foreground (no daemon, no master process), on a free loopback port.
 * `http` is what goes inside the http block; `PORT` in it is replaced.
 */
export function startNginx(http: string): Promise<NginxProcess> {
  const dir = tempDir('gadm-nginx-');
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const spawnOn = (port: number) => {
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
    return spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  return startFrontProxy('nginx', dir, spawnOn, { error: join(dir, 'error.log'), access: join(dir, 'access.log') }, 'SIGQUIT');
}
