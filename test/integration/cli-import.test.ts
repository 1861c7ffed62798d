import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

// The tests read the commands' JSON answers field by field, as a script would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', env: { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as Answer };
}

describe('graphistry-admin users import --help', () => {
  it('names the file, every option and where the secrets go; users create takes --email', () => {
    const help = cli(['users', 'import', '--help']);
    expect(help.code).toBe(0);
    for (const p of [
      /users import FILE \[options\]/,
      /--dry-run/,
      /--mode/,
      /--on-existing/,
      /--continue-on-error/,
      /--with-keys/,
      /--links/,
      /0600/,
      /--json/,
    ]) {
      expect(help.out).toMatch(p);
    }
    expect(cli(['--help']).out).toContain('users import');
    expect(cli(['users', 'create', '--help']).out).toMatch(/--email/);
    expect(cli(['users', 'import']).code).toBe(2);
    expect(cli(['users', 'import', 'x.csv', '--mode', 'magic']).code).toBe(2);
  }, 60_000);
});

describe.each(dialects())('graphistry-admin users import (%s)', (dialect) => {
  let dir: string;
  let schema: string | null = null;
  let base: string[] = [];
  const users = () => (cli(['users', 'list', '--page-size', '500', '--json', ...base]).json().results as Answer[]).map((u) => u.username as string).sort();

  beforeAll(async () => {
    dir = tempDir();
    base = ['--data-dir', join(dir, 'data')];
    if (dialect === 'postgres') {
      schema = await createSchema();
      base.push('--database-url', urlWithSchema(schema));
    }
    expect(cli(['createsuperuser', '--username', 'root', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`).code).toBe(0);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('users create takes --email', () => {
    const made = cli(['users', 'create', 'withmail', '--email', 'withmail@example.com', '--password-stdin', '--json', ...base], `${STRONG_PASSWORD}\n`);
    expect(made.code, made.err).toBe(0);
    expect(made.json().user).toMatchObject({ username: 'withmail', email: 'withmail@example.com' });
  });

  it('prints each row by line; a row with an error writes nothing and exits 1', () => {
    const file = join(dir, 'hostile.csv');
    writeFileSync(file, '\uFEFFusername;email\nfine;fine@example.com\n"=HYPERLINK(""http://evil.example"")";\nFINE;\n');
    const before = users();
    const r = cli(['users', 'import', file, '--links', join(dir, 'hostile-links.csv'), ...base]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^3 +=HYPERLINK.* +error +INVALID_USERNAME username/m);
    expect(r.out).toMatch(/^4 +FINE +error +DUPLICATE_USERNAME username repeats the username “fine” of line 2/m);
    expect(r.out).toContain('nothing was written');
    expect(existsSync(join(dir, 'hostile-links.csv'))).toBe(false);
    expect(users()).toEqual(before);
  });

  it('dry run first, then the import writes the links and key secrets once to new 0600 files, never to stdout', () => {
    const file = join(dir, 'team.csv');
    writeFileSync(file, 'username,email,is_staff\nnina,nina@example.com,yes\nomar,,no\n');
    const before = users();
    const dry = cli(['users', 'import', file, '--dry-run', ...base]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/^2 +nina +create +created$/m);
    expect(dry.out).toContain('Dry run, nothing written: 2 to create.');
    expect(users()).toEqual(before);

    expect(cli(['users', 'import', file, ...base]).code).toBe(2); // links would be lost: refused before anything
    expect(users()).toEqual(before);

    const links = join(dir, 'links.csv');
    const keys = join(dir, 'keys.csv');
    writeFileSync(keys, 'old');
    const clash = cli(['users', 'import', file, '--links', links, '--with-keys', keys, ...base]);
    expect(clash.code).toBe(2);
    expect(clash.err).toContain('exists already');
    expect(readFileSync(keys, 'utf8')).toBe('old');
    expect(existsSync(links)).toBe(false);
    expect(users()).toEqual(before);
    rmSync(keys);

    const r = cli(['users', 'import', file, '--links', links, '--with-keys', keys, ...base]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('2 created.');
    for (const f of [links, keys]) expect(statSync(f).mode & 0o777).toBe(0o600);
    const linkRows = readFileSync(links, 'utf8').trim().split('\n');
    expect(linkRows[0]).toBe('line,username,outcome,link,expires_at');
    expect(linkRows.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['2,nina,create', '3,omar,create']);
    const keyRows = readFileSync(keys, 'utf8').trim().split('\n').slice(1);
    expect(keyRows).toHaveLength(2);
    const secret = keyRows[0]!.split(',')[3]!;
    expect(secret.length).toBeGreaterThan(20);
    expect(r.out + r.err).not.toContain(secret);
    expect(r.out).not.toContain('/set-password/');
    expect(users()).toEqual([...before, 'nina', 'omar'].sort());
  });

  it('with --json and no --links file, the links are in the answer; on_existing and continue_on_error apply', () => {
    const file = join(dir, 'more.csv');
    writeFileSync(file, 'username\nnina\npia\nbad name\n');
    const r = cli(['users', 'import', file, '--json', '--on-existing', 'skip', '--continue-on-error', ...base]);
    expect(r.code, r.err).toBe(1);
    const answer = r.json();
    expect(answer.rows.map((x: Answer) => [x.line, x.outcome, x.written])).toEqual([
      [2, 'skip', false],
      [3, 'create', true],
      [4, 'error', false],
    ]);
    expect(answer.rows[1].link.path).toMatch(/^\/set-password\//);
    expect(users()).toContain('pia');
  });
});
