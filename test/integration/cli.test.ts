import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

describe.each(dialects())('graphistry-admin CLI (%s)', (dialect) => {
  let dataDir: string;
  let schema: string | null = null;
  let base: string[] = [];

  beforeAll(async () => {
    dataDir = tempDir();
    base = ['--data-dir', dataDir];
    if (dialect === 'postgres') {
      schema = await createSchema();
      base.push('--database-url', urlWithSchema(schema));
    }
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  // The tests read the commands' JSON answers field by field, as a script would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = Record<string, any>;
  function cli(args: string[], input?: string) {
    const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', env: { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: '' } });
    return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as Answer };
  }

  it('bootstraps an administrator without any sign-up window, then manages users, keys, settings and audit', () => {
    const su = cli(['createsuperuser', '--username', 'root', '--password-stdin', '--json', ...base], `${STRONG_PASSWORD}\n`);
    expect(su.code, su.err).toBe(0);
    expect(su.json().user).toMatchObject({ username: 'root', is_superuser: true, is_staff: true });
    expect(su.json().key.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const weak = cli(['users', 'create', 'alice', '--password', '12345678', ...base]);
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/WEAK_PASSWORD.*numeric/);

    const alice = cli(['users', 'create', 'alice', '--email', 'alice@example.com', '--password-stdin', '--json', ...base], `${STRONG_PASSWORD}\n`);
    expect(alice.code, alice.err).toBe(0);
    expect(alice.json().user).toMatchObject({ username: 'alice', is_staff: false, is_superuser: false });

    const dup = cli(['users', 'create', 'ALICE', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`);
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('USERNAME_TAKEN');

    const list = cli(['users', 'list', '--search', 'ali', '--json', ...base]);
    expect(list.json()).toMatchObject({ count: 1, results: [{ username: 'alice' }] });
    expect(cli(['users', 'list', ...base]).out).toMatch(/root[\s\S]*2 user\(s\)/);

    const roles = cli(['users', 'set-roles', 'alice', '--staff', '--json', ...base]);
    expect(roles.json()).toMatchObject({ is_staff: true, is_superuser: false });
    const last = cli(['users', 'set-roles', 'root', '--no-superuser', ...base]);
    expect(last.code).toBe(1);
    expect(last.err).toContain('LAST_SUPERUSER');

    expect(cli(['users', 'set-password', 'alice', '--password-stdin', ...base], 'another fine password\n').code).toBe(0);

    const key = cli(['keys', 'create', 'alice', '--name', 'laptop', '--expires-in-days', '7', '--json', ...base]);
    expect(key.json()).toMatchObject({ name: 'laptop', is_active: true });
    const keyId = key.json().id as string;
    const keys = cli(['keys', 'list', 'alice', '--json', ...base]).json().results as Array<{ id: string; name: string }>;
    expect(keys.map((k) => k.name).sort()).toEqual(['default', 'laptop']);
    expect(JSON.stringify(keys)).not.toContain(key.json().secret);
    expect(cli(['keys', 'revoke', 'alice', keyId, '--json', ...base]).json().revoked_at).toBeTruthy();

    expect(cli(['config', 'get', 'IS_SIGNUPS_OPEN_AFTER_FIRST', ...base]).out.trim()).toBe('false');
    expect(cli(['config', 'set', 'IS_SIGNUPS_OPEN_AFTER_FIRST', 'on', ...base]).code).toBe(0);
    expect(cli(['config', 'get', 'IS_SIGNUPS_OPEN_AFTER_FIRST', '--json', ...base]).json()).toEqual({ key: 'IS_SIGNUPS_OPEN_AFTER_FIRST', value: true });
    const badValue = cli(['config', 'set', 'IS_SIGNUPS_OPEN_AFTER_FIRST', 'maybe', ...base]);
    expect(badValue.code).toBe(1);
    expect(cli(['config', 'set', 'NOPE', 'true', ...base]).err).toContain('UNKNOWN_SETTING');
    // The public URL is what `invites create` puts in front of the link when --base-url is not given.
    expect(cli(['config', 'set', 'PUBLIC_URL', 'graphistry.example.com', ...base]).err).toMatch(/PUBLIC_URL must be an http:\/\/ or https:\/\/ address/);
    expect(cli(['config', 'set', 'PUBLIC_URL', 'https://graphistry.example.com/', ...base]).code).toBe(0);
    const invite = cli(['invites', 'create', '--json', ...base]).json();
    expect(invite.url).toBe(`https://graphistry.example.com${invite.path as string}`);
    expect(cli(['invites', 'create', '--base-url', 'http://10.0.0.5:8000', '--json', ...base]).json().url).toMatch(
      /^http:\/\/10\.0\.0\.5:8000\/accounts\/invite\//,
    );

    expect(cli(['users', 'deactivate', 'alice', '--json', ...base]).json().is_active).toBe(false);

    const audit = cli(['audit', '--json', '--page-size', '100', ...base]).json();
    const actions = (audit.results as Array<{ action: string; actor: string }>).map((r) => r.action);
    for (const a of ['user.create', 'user.roles', 'user.password', 'key.create', 'key.revoke', 'settings.change']) expect(actions).toContain(a);
    expect((audit.results as Array<{ actor: string }>)[0]!.actor).toMatch(/^cli:/);
    expect(JSON.stringify(audit)).not.toContain(STRONG_PASSWORD);
  }, 240_000); // some 25 CLI processes, each loading TypeScript through tsx

  it('answers --help for every command, and usage errors with exit code 2', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of [
      'serve',
      'createsuperuser',
      'users list',
      'users create',
      'users set-password',
      'users set-roles',
      'users deactivate',
      'keys list',
      'keys create',
      'keys revoke',
      'config list',
      'config get',
      'config set',
      'audit',
    ]) {
      expect(top.out).toContain(cmd);
    }
    const serveHelp = cli(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.out).toMatch(/--port/);
    expect(serveHelp.out).toMatch(/--setup-token/);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['users', 'list', '--frob', ...base]).code).toBe(2);
    expect(cli(['keys', 'revoke', 'onlyuser', ...base]).code).toBe(2);
  }, 120_000);
});

describe('graphistry-admin configuration errors', () => {
  it('lists every bad setting at once', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--data-dir', tempDir(), '--port', '99999'], {
      encoding: 'utf8',
      env: { ...process.env, JWT_EXPIRATION_DELTA: 'soon', DATABASE_URL: 'mysql://x' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/JWT_EXPIRATION_DELTA/);
    expect(r.stderr).toMatch(/DATABASE_URL/);
  });
});
