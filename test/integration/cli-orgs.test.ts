import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dialects, json, makeTestApp, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

// The tests read the commands' JSON answers field by field, as a script would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', env: { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as Answer };
}

describe('graphistry-admin orgs --help', () => {
  // Help never opens a database, so one run covers both dialects.
  it('lists every orgs command, and each one names its arguments and options', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    const expected: Array<[string, RegExp[]]> = [
      ['orgs list', [/orgs list \[options\]/, /--search/, /--ordering/, /--page-size/]],
      ['orgs create', [/orgs create SLUG \[options\]/, /--name/, /--admin/, /--join-policy/, /invite_only/, /self_join/]],
      ['orgs show', [/orgs show SLUG \[options\]/, /members/]],
      ['orgs add-member', [/orgs add-member SLUG USERNAME \[options\]/, /--admin/]],
      ['orgs remove-member', [/orgs remove-member SLUG USERNAME \[options\]/]],
      ['orgs invite', [/orgs invite SLUG \[options\]/, /--admin/, /--expires-in-hours/, /--note/, /shown once/]],
      ['orgs delete', [/orgs delete SLUG \[options\]/, /--yes/]],
    ];
    for (const [cmd, patterns] of expected) {
      expect(top.out).toContain(cmd);
      const help = cli([...cmd.split(' '), '--help']);
      expect(help.code, cmd).toBe(0);
      for (const p of patterns) expect(help.out, cmd).toMatch(p);
      expect(help.out, cmd).toMatch(/--json/);
    }
    expect(cli(['orgs', 'show']).code).toBe(2);
    expect(cli(['orgs', 'add-member', 'acme']).code).toBe(2);
    expect(cli(['orgs', 'invite']).code).toBe(2);
    expect(cli(['orgs', 'invite', 'acme', '--expires-in-hours', '0']).code).toBe(2);
  }, 120_000);
});

describe.each(dialects())('graphistry-admin orgs (%s)', (dialect) => {
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

  it('creates, shows, lists, fills and empties an organization, refuses what the rules forbid, and audits it as the command line', () => {
    expect(cli(['createsuperuser', '--username', 'root', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`).code).toBe(0);
    for (const u of ['alice', 'ben']) expect(cli(['users', 'create', u, '--password-stdin', ...base], `${STRONG_PASSWORD}\n`).code).toBe(0);

    const made = cli(['orgs', 'create', 'Acme', '--name', 'Acme Corp', '--admin', 'alice', '--join-policy', 'self_join', '--json', ...base]);
    expect(made.code, made.err).toBe(0);
    expect(made.json()).toMatchObject({ slug: 'acme', name: 'Acme Corp', join_policy: 'self_join', member_count: 1, admin_count: 1 });
    expect(made.json().created_by).toMatch(/^cli:/);

    // A slug equal to a username (in any case): personal organizations are named by usernames.
    const taken = cli(['orgs', 'create', 'ROOT', ...base]);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('error SLUG_TAKEN: “root” is a username (every user has a personal organization by that name): choose another id.');

    const added = cli(['orgs', 'add-member', 'acme', 'ben', '--admin', '--json', ...base]);
    expect(added.code, added.err).toBe(0);
    expect(added.json()).toMatchObject({ organization: 'acme', username: 'ben', role: 'admin' });

    const list = cli(['orgs', 'list', '--search', 'acme', '--json', ...base]);
    expect(list.json()).toMatchObject({ count: 1, results: [{ slug: 'acme', member_count: 2, admin_count: 2 }] });
    expect(cli(['orgs', 'list', ...base]).out).toMatch(/acme\s+Acme Corp\s+self_join\s+2\s+2[\s\S]*1 organization\(s\)/);

    const shown = cli(['orgs', 'show', 'ACME', '--json', ...base]).json();
    expect(shown).toMatchObject({ slug: 'acme', name: 'Acme Corp', join_policy: 'self_join' });
    expect((shown.members as Answer[]).map((m) => [m.username, m.role]).sort()).toEqual([
      ['alice', 'admin'],
      ['ben', 'admin'],
    ]);
    const human = cli(['orgs', 'show', 'acme', ...base]).out;
    expect(human).toMatch(/join policy:\s+self_join/);
    expect(human).toMatch(/alice\s+admin/);

    const removed = cli(['orgs', 'remove-member', 'acme', 'ben', '--json', ...base]);
    expect(removed.code, removed.err).toBe(0);
    expect(removed.json()).toMatchObject({ organization: 'acme', username: 'ben', removed: true });
    // alice is now its only active admin.
    const last = cli(['orgs', 'remove-member', 'acme', 'alice', ...base]);
    expect(last.code).toBe(1);
    expect(last.err).toContain(
      'error LAST_ORG_ADMIN: This is the last active admin of “acme”: make another member its admin first (or delete the organization).',
    );

    const unknown = cli(['orgs', 'show', 'nope', ...base]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('error ORG_NOT_FOUND: No organization “nope”.');
    expect(cli(['orgs', 'add-member', 'nope', 'ben', ...base]).err).toContain('ORG_NOT_FOUND');

    // No terminal to ask on (stdin is a pipe here): refused without --yes, and nothing deleted.
    const unconfirmed = cli(['orgs', 'delete', 'acme', ...base]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err).toContain('run it again with --yes to delete “acme” (Acme Corp) and its 1 membership');
    const gone = cli(['orgs', 'delete', 'acme', '--yes', '--json', ...base]);
    expect(gone.code, gone.err).toBe(0);
    expect(gone.json()).toEqual({ slug: 'acme', deleted: true, members: 1 });
    expect(cli(['orgs', 'delete', 'acme', '--yes', ...base]).err).toContain('error ORG_NOT_FOUND');

    const audit = (cli(['audit', '--json', '--page-size', '100', ...base]).json().results as Array<{ action: string; actor: string; target: string }>).filter(
      (r) => r.action.startsWith('org.'),
    );
    expect(audit.map((r) => r.action).sort()).toEqual(['org.create', 'org.delete', 'org.member.add', 'org.member.remove']);
    for (const r of audit) {
      expect(r.actor).toMatch(/^cli:.+@.+/);
      expect(r.target).toBe('acme');
    }
  }, 240_000); // some 20 CLI processes, each loading TypeScript through tsx

  it('orgs invite prints a link shown once, as a member or --admin; the link joins whoever uses it', async () => {
    expect(cli(['users', 'create', 'dora', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`).code).toBe(0);
    expect(cli(['orgs', 'create', 'beta', '--admin', 'dora', ...base]).code).toBe(0);

    const made = cli(['orgs', 'invite', 'BETA', '--admin', '--expires-in-hours', '5', '--note', 'for Eve', '--json', ...base]);
    expect(made.code, made.err).toBe(0);
    const inv = made.json();
    expect(inv).toMatchObject({ organization: 'beta', role: 'admin', note: 'for Eve', status: 'pending', url: null });
    expect(inv.created_by).toMatch(/^cli:/);
    expect(inv.path).toBe(`/accounts/invite/${inv.token}/`);
    expect(Date.parse(inv.expires_at) - Date.parse(inv.created_at)).toBe(5 * 3_600_000);

    const human = cli(['orgs', 'invite', 'beta', ...base]);
    expect(human.code, human.err).toBe(0);
    expect(human.out).toMatch(/Invitation \S+ into “beta” created \(as a member, expires /);
    expect(human.out).toMatch(/^\/accounts\/invite\/[A-Za-z0-9_-]{43}\/$/m);
    expect(human.out).toContain('The link is shown this once: send it to the person now. Put the server address in front');
    expect(cli(['orgs', 'invite', 'nope', ...base]).err).toContain('error ORG_NOT_FOUND: No organization “nope”.');
    expect(cli(['orgs', 'invite', 'beta', '--note', 'a\u0007b', ...base]).err).toContain('error VALIDATION');

    // The app on the same data directory and database: a new person makes an account with the link and is an admin of beta.
    const t = await makeTestApp(dialect, { dataDir, ...(schema ? { pgSchema: schema } : {}) });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/invitations/accept',
        payload: { token: inv.token, username: 'eve', password: STRONG_PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(json(res).organization).toEqual({ slug: 'beta', name: 'beta', role: 'admin' });
      const cliActor = { userId: null, username: 'cli', ip: null };
      const members = (await t.services.orgMembers.list(cliActor, 'beta', {})).results.map((m) => [m.username, m.role]);
      expect(members).toEqual([
        ['dora', 'admin'],
        ['eve', 'admin'],
      ]);
    } finally {
      await t.close();
    }
    const audit = (cli(['audit', '--json', '--page-size', '100', ...base]).json().results as Array<{ action: string; actor: string }>).filter(
      (r) => r.action === 'org.invitation.create',
    );
    expect(audit).toHaveLength(2);
    for (const r of audit) expect(r.actor).toMatch(/^cli:/);
  }, 240_000);
});
