import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/app.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The prebuilt server (scripts/build-server.js, run by npm's prepare step):
 * built into a temp folder and run as bin/graphistry-admin.js would run it,
 * so a bundling mistake (a dependency that cannot be bundled, a static file
 * left behind, a lazy import that breaks) fails here and not on a user's
 * first `npx graphistry-admin`.
 */
describe('prebuilt server and CLI (out/server)', () => {
  let outDir: string;
  let dataDir: string;
  const env = { ...process.env, GRAPHISTRY_ADMIN_FROM_SOURCE: '', DATABASE_URL: '', GRAPHISTRY_ADMIN_DATA: '' };
  const runner = () =>
    `const { main } = await import(${JSON.stringify(pathToFileURL(join(outDir, 'cli.js')).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--input-type=module', '-e', runner(), '--', ...args], { cwd: ROOT, env, encoding: 'utf8' });

  beforeAll(() => {
    // Inside the checkout, so the bundle finds node_modules as out/server does.
    outDir = join(ROOT, 'out', `test-build-${process.pid}-${Date.now()}`);
    dataDir = tempDir();
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-server.js'), '--outdir', outDir], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers --help and config get from plain JavaScript', () => {
    const help = cli('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: npx graphistry-admin <command>');
    const get = cli('config', 'get', 'IS_SIGNUPS_OPEN_AFTER_FIRST', '--data-dir', dataDir, '--json');
    expect(get.status, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ key: 'IS_SIGNUPS_OPEN_AFTER_FIRST', value: false });
  });

  it('serves the API and the pages with their static files', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', runner(), '--', 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect((await fetch(`${url}/ht/`)).status).toBe(200);
      const css = await fetch(`${url}/static/app.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toContain('{');
      const reg = await fetch(`${url}/api/v2/auth/registration`);
      expect(await reg.json()).toMatchObject({ has_users: false });
      // Regression: bundled, @fastify/cookie lost its cookie functions and every page that sets a cookie answered 500.
      const login = await fetch(`${url}/accounts/login/`);
      expect(login.status, await login.clone().text()).toBe(200);
      expect(login.headers.getSetCookie().join()).toContain('gadm_presession=');
      // Sign-up commits through the database thread, a module of the bundle's own (sqlite-writer-thread.js), and hashes with argon2id from node_modules.
      const signup = await fetch(`${url}/api/v2/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }),
      });
      expect(signup.status, await signup.clone().text()).toBe(201);
      const check = await fetch(`${url}/auth/check`);
      expect(check.status).toBe(401);
      expect(check.headers.get('x-login-url')).toBe('/accounts/login/');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('backs up on its backup thread, a module of the bundle’s own (backup-thread.js)', () => {
    const file = join(dataDir, '..', `bundled-backup-${process.pid}.jsonl`);
    try {
      const made = cli('backup', file, '--data-dir', dataDir, '--json');
      expect(made.status, made.stderr).toBe(0);
      expect(JSON.parse(made.stdout)).toMatchObject({ file, tables: { users: { rows: 1 } } });
    } finally {
      rmSync(file, { force: true });
    }
  });
});
