import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

/** `users export|signout|require-password-change|revoke-keys` and `audit export`, run as a separate process on a real database. */
describe.each(dialects())('graphistry-admin lifecycle commands (%s)', (dialect) => {
  let dataDir: string;
  let schema: string | null = null;
  let base: string[] = [];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = Record<string, any>;
  function cli(args: string[], input?: string) {
    const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', env: { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: '' } });
    return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as Answer };
  }

  beforeAll(async () => {
    dataDir = tempDir();
    base = ['--data-dir', dataDir];
    if (dialect === 'postgres') {
      schema = await createSchema();
      base.push('--database-url', urlWithSchema(schema));
    }
    expect(cli(['createsuperuser', '--username', 'root', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`).code).toBe(0);
    for (const name of ['alice', '-bob', 'carol']) {
      // A name starting with - goes after `--`, as for any command taking positionals.
      const r = cli(['users', 'create', '--email', `${name.replace('-', '')}@corp.example`, '--password-stdin', ...base, '--', name], `${STRONG_PASSWORD}\n`);
      expect(r.code, r.err).toBe(0);
    }
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('each command has --help', () => {
    for (const cmd of [
      ['users', 'export'],
      ['users', 'signout'],
      ['users', 'require-password-change'],
      ['users', 'revoke-keys'],
      ['audit', 'export'],
    ]) {
      const r = cli([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out).toContain(cmd.join(' '));
    }
    expect(cli(['users', 'export', '--help']).out).toMatch(/--inactive-days[\s\S]*--joined-before/);
    expect(cli(['users', 'signout', '--help']).out).toContain('--revoke-keys');
  });

  it('users list takes the same filters as users export: sign-in method and dormancy, judged by the API', () => {
    const names = (args: string[]) => {
      const r = cli(['users', 'list', '--json', ...args, ...base]);
      expect(r.code, r.err).toBe(0);
      return (r.json().results as Array<{ username: string }>).map((u) => u.username).sort();
    };
    expect(names(['--sign-in', 'password'])).toEqual(['-bob', 'alice', 'carol', 'root']);
    expect(names(['--sign-in', 'sso'])).toEqual([]);
    expect(names(['--never-signed-in', '--no-superuser'])).toEqual(['-bob', 'alice', 'carol']);
    expect(names(['--joined-before', '2000-01-01'])).toEqual([]);
    const bad = cli(['users', 'list', '--sign-in', 'magic', ...base]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/sign_in/);
    expect(cli(['users', 'list', '--help']).out).toMatch(/--sign-in[\s\S]*--inactive-days/);
  });

  it('users export: CSV of every match to standard output, neutralised; JSON; --out FILE with mode 0600; filters', () => {
    const all = cli(['users', 'export', ...base]);
    expect(all.code, all.err).toBe(0);
    const lines = all.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,username,email,is_active,is_staff,is_superuser,date_joined,last_login,sign_in');
    expect(lines).toHaveLength(5);
    expect(lines.some((l) => l.includes(",'-bob,"))).toBe(true);
    const json = cli(['users', 'export', '--format', 'json', '--search', 'ali', ...base]);
    expect(JSON.parse(json.out)).toMatchObject([{ username: 'alice', email: 'alice@corp.example', sign_in: { password: true } }]);
    const file = join(dataDir, 'users.csv');
    const toFile = cli(['users', 'export', '--out', file, '--never-signed-in', '--superuser', ...base]);
    expect(toFile.code, toFile.err).toBe(0);
    expect(toFile.out).toBe('');
    expect(toFile.err).toContain('1 user(s) exported');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').split('\r\n')[1]).toMatch(/^\d+,root,/);
    expect(
      cli(['users', 'export', '--inactive-days', '30', '--no-superuser', ...base])
        .out.trimEnd()
        .split('\r\n'),
    ).toHaveLength(4);
    expect(
      cli(['users', 'export', '--joined-before', '2000-01-01', ...base])
        .out.trimEnd()
        .split('\r\n'),
    ).toHaveLength(1);
    const bad = cli(['users', 'export', '--inactive-days', 'soon', ...base]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/VALIDATION[\s\S]*inactive_days/);
    expect(cli(['users', 'export', '--active', '--inactive', ...base]).code).toBe(2);
  });

  it('signout, require-password-change and revoke-keys act on the user named, and are audited', () => {
    const out = cli(['users', 'signout', 'alice', '--json', ...base]);
    expect(out.code, out.err).toBe(0);
    expect(out.json()).toMatchObject({ changed: true, keys_revoked: 0, user: { username: 'alice' } });
    expect(cli(['users', 'signout', 'carol', '--revoke-keys', ...base]).out).toContain('carol is signed out everywhere and 1 key(s) revoked');
    expect(cli(['users', 'require-password-change', 'alice', ...base]).out).toContain('alice must choose a new password');
    expect(cli(['users', 'require-password-change', 'alice', ...base]).out).toContain('already');
    expect(cli(['users', 'revoke-keys', 'alice', ...base]).out).toContain('1 key(s) of alice revoked');
    expect(cli(['users', 'revoke-keys', 'alice', ...base]).out).toContain('alice has no usable key');
    const missing = cli(['users', 'signout', 'nobody', ...base]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('USER_NOT_FOUND');

    const audit = cli(['audit', 'export', '--user', 'alice', ...base]);
    expect(audit.code, audit.err).toBe(0);
    const rows = audit.out.trimEnd().split('\r\n');
    expect(rows[0]).toBe('id,at,actor,action,outcome,target_type,target_id,target,client_ip,detail');
    expect(rows.slice(1).map((r) => r.split(',')[3])).toEqual([
      'user.keys_revoke_all',
      'user.require_password_change',
      'user.sign_out',
      'key.create',
      'user.create',
    ]);
    expect(rows.slice(1).every((r) => r.includes(',alice,'))).toBe(true);
    const file = join(dataDir, 'audit.csv');
    expect(cli(['audit', 'export', '--action', 'user.sign_out', '--out', file, ...base]).code).toBe(0);
    expect(readFileSync(file, 'utf8').trimEnd().split('\r\n')).toHaveLength(3);
  });
});
