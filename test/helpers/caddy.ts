import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './app.ts';
import { documentedSnippet, programMissing, startFrontProxy, type FrontProxy } from './front-proxy.ts';

export const CADDY = process.env.CADDY_PATH ?? '/usr/bin/caddy';

export const caddyMissing = (): string | null => programMissing(CADDY, ['version']);

/** The Caddyfile snippet of docs/staff-access.md, as people copy it. */
export const documentedCaddySnippet = (): string => documentedSnippet('caddy', 'caddyfile');

/**
 * Debian's Caddy as a child of the test, never the system's: `caddy run` in
 * the foreground with its Caddyfile, storage, home and logs in a temp dir, no
 * admin endpoint and no automatic HTTPS, on a free loopback port. `site` is
 * the site block(s); `PORT` in it is replaced.
 */
export function startCaddy(site: string): Promise<FrontProxy> {
  const dir = tempDir('gadm-caddy-');
  const spawnOn = (port: number) => {
    const caddyfile = `{
	admin off
	auto_https off
	storage file_system ${dir}/storage
	log {
		output file ${dir}/error.log
		level WARN
	}
}

${site.replaceAll('PORT', String(port))}
`;
    writeFileSync(join(dir, 'Caddyfile'), caddyfile);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    return spawn(CADDY, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  return startFrontProxy('caddy', dir, spawnOn, { error: join(dir, 'error.log') }, 'SIGTERM');
}
