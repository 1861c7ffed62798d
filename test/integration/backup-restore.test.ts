import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { join } from 'node:path';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type SignedUp, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';
import { backupLines, backupProcess, cli, placeOf, placeOfApp, targetUntouched, writeWithChecksum } from '../helpers/backup-kit.ts';
import { backup, restore } from '../../src-server/backup/backup-service.ts';
import { writeBackup } from '../../src-server/backup/backup-file.ts';
import { readEnvSecrets } from '../../src-server/backup/env-secrets.ts';
import { silentProgress } from '../../src-server/backup/progress.ts';
import { postgresSnapshot, sqliteSnapshot } from '../../src-server/backup/snapshot.ts';
import { describeSource } from '../../src-server/backup/source.ts';
import { loadOrCreateSecrets } from '../../src-server/secrets.ts';
import { createSecretBox } from '../../src-server/sso/secret-box.ts';
import { checkSecretsFingerprint } from '../../src-server/services.ts';

const actor = { userId: null, username: 'test', ip: null };

describe('graphistry-admin backup, restore, db move --help', () => {
  // Help and usage errors never open a database: one run covers both dialects.
  it('lists the three commands, says the server must be stopped for a move, and answers usage errors with exit 2', () => {
    const top = cli(['--help']);
    for (const name of ['backup', 'restore', 'db move']) expect(top.out).toMatch(new RegExp(`\\n  ${name} +\\S`));
    expect(cli(['backup', '--help']).out).toMatch(/backup FILE \[options\][\s\S]*0600[\s\S]*while the server keeps serving/i);
    expect(cli(['restore', '--help']).out).toMatch(/restore FILE \[options\][\s\S]*empty/);
    const move = cli(['db', 'move', '--help']).out;
    expect(move).toContain('Stop the server first');
    expect(move).toMatch(/--to VALUE +postgres:/);
    expect(cli(['backup']).code).toBe(2);
    expect(cli(['restore', 'a', 'b']).code).toBe(2);
    expect(cli(['db', 'move']).code).toBe(2);
    expect(cli(['db', 'move', '--to', 'mysql://x/y']).code).toBe(2);
    // Nothing to back up, nowhere to write it, nothing to restore: a code and a sentence, no file left behind.
    const empty = tempDir();
    try {
      expect(cli(['backup', join(empty, 'b.jsonl'), '--data-dir', empty]).err).toMatch(/^error NO_DATABASE: There is no database in /);
      expect(cli(['backup', join(empty, 'no/such/dir/b.jsonl'), '--data-dir', empty]).err).toMatch(/^error VALIDATION: The folder .+ does not exist/);
      expect(cli(['restore', join(empty, 'missing.jsonl'), '--data-dir', join(empty, 'd')]).err).toMatch(/^error BACKUP_INVALID: There is no file /);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.each(dialects())('backup and restore (%s)', (dialect) => {
  let t: TestApp;
  let root: SignedUp;
  let alice: SignedUp;
  let invitationToken: string;
  let file: string;
  const dirs: string[] = [];
  const schemas: string[] = [];

  /** A fresh place to restore into: an empty data dir, and on PostgreSQL an empty schema. */
  async function freshTarget() {
    const dataDir = join(tempDir(), 'data');
    dirs.push(dataDir);
    const schema = dialect === 'postgres' ? await createSchema() : null;
    if (schema) schemas.push(schema);
    return { dataDir, schema, place: placeOf(dialect, dataDir, schema) };
  }

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    root = await signup(t.app, 'root');
    alice = await adminCreateUser(t.app, root.token, { username: 'alice', email: 'alice@example.com', password: 'alice has a long password' });
    await adminCreateUser(t.app, root.token, { username: 'ben', is_active: false });
    invitationToken = (await t.services.invitations.create(actor, { note: 'for carol' })).token;
    await t.services.orgs.create(actor, { slug: 'acme', name: 'Acme Corp', admin_user_id: alice.user.id }, { admin: null });
    await t.services.settings.update(actor, { PUBLIC_URL: 'https://graphistry.example.com' });
    const box = createSecretBox(loadOrCreateSecrets(t.dataDir).secrets.ssoKey);
    await t.db.write
      .insertInto('sso_providers')
      .values({
        name: 'corp',
        template: 'okta',
        issuer: 'https://idp.example.com',
        client_id: 'cid',
        client_secret_enc: box.seal('the idp secret'),
        scopes: 'openid',
        enabled: dialect === 'postgres' ? true : 1,
        link_verified_email: dialect === 'postgres' ? false : 0,
        created_at: new Date().toISOString(),
        organization_id: null,
        created_by: 'test',
      })
      .execute();
    file = join(tempDir(), 'site.backup.jsonl.gz');
    dirs.push(file);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const s of schemas) await dropSchema(s);
  });

  it('backs up while the server serves (0600, never over a file) and restores into a fresh place where everything works as before', async () => {
    const made = await backup(placeOfApp(dialect, t), file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(made.tables.users!.rows).toBe(3);
    await expect(backup(placeOfApp(dialect, t), file)).rejects.toMatchObject({ code: 'BACKUP_FILE_EXISTS' });
    const header = JSON.parse(backupLines(file)[0]!);
    expect(header).toMatchObject({ format: 'graphistry-admin-backup', version: 1, source_dialect: dialect });
    expect(header.migrations).toContain('0014_password_links');
    expect(header.tables.map((x: { name: string }) => x.name)).not.toContain('graphistry_admin_migrations');

    const target = await freshTarget();
    const restored = await restore(target.place, file);
    expect(restored.tables).toEqual(made.tables);
    expect(statSync(join(target.dataDir, '.env')).mode & 0o777).toBe(0o600);

    const r = await makeTestApp(dialect, { dataDir: target.dataDir, ...(target.schema ? { pgSchema: target.schema } : {}) });
    try {
      expect(await checkSecretsFingerprint(r.db, loadOrCreateSecrets(target.dataDir).secrets)).toBeNull();
      // Every password signs in; the inactive account still does not.
      for (const [username, password] of [
        ['root', STRONG_PASSWORD],
        ['alice', 'alice has a long password'],
      ]) {
        const res = await r.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username, password } });
        expect(res.statusCode, username).toBe(200);
      }
      expect((await r.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'ben', password: STRONG_PASSWORD } })).statusCode).toBe(400);
      // A personal key made before exchanges for a JWT; a JWT issued before still verifies.
      const pkey = await r.app.inject({
        method: 'POST',
        url: '/api/v2/auth/pkey/jwt/',
        headers: { authorization: `PersonalKey ${alice.key.id}:${alice.key.secret}` },
      });
      expect(pkey.statusCode, pkey.body).toBe(200);
      const me = await r.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(root.token) });
      expect([me.statusCode, json(me).username]).toEqual([200, 'root']);
      // The pending invitation works once, and only once.
      const accept = () =>
        r.app.inject({
          method: 'POST',
          url: '/api/v2/auth/invitations/accept',
          payload: { token: invitationToken, username: 'carol', password: STRONG_PASSWORD },
        });
      expect((await accept()).statusCode).toBe(201);
      expect(json(await accept()).error).toBe('INVITATION_USED');
      // The SSO client secret decrypts with the restored key; organizations, settings and the audit log are all there.
      const provider = await r.db.read.selectFrom('sso_providers').selectAll().executeTakeFirstOrThrow();
      expect(createSecretBox(loadOrCreateSecrets(target.dataDir).secrets.ssoKey).open(provider.client_secret_enc!)).toBe('the idp secret');
      expect(await r.services.orgs.get(actor, 'acme')).toMatchObject({ name: 'Acme Corp', member_count: 1, admin_count: 1 });
      expect((await r.services.settings.values()).PUBLIC_URL).toBe('https://graphistry.example.com');
      // The source's log as the backup saw it: everything but the backup's own entry, written once the file was whole.
      const source = await t.db.read.selectFrom('audit_log').selectAll().orderBy('id').execute();
      const backedUp = source.filter((e) => e.action === 'database.backup');
      expect(backedUp).toHaveLength(1);
      expect(backedUp[0]!.actor).toMatch(/^cli:/);
      expect(JSON.parse(backedUp[0]!.detail!)).toEqual({ file, tables: Object.keys(made.tables).length, rows: expect.any(Number) });
      const before = source.filter((e) => e.action !== 'database.backup');
      const after = await r.db.read.selectFrom('audit_log').selectAll().where('id', '<=', before.at(-1)!.id).orderBy('id').execute();
      expect(after).toEqual(before);
      const note = await r.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'database.restore').execute();
      expect(note).toHaveLength(1);
      expect(note[0]!.actor).toMatch(/^cli:/);
      expect(JSON.parse(note[0]!.detail!)).toMatchObject({ source_dialect: dialect, rows: expect.any(Number) });
      expect(note[0]!.detail).not.toMatch(/GRAPHISTRY_ADMIN_|password/i);
      // New rows get ids past every id the source handed out.
      const newest = await r.db.read.selectFrom('users').select('id').where('username', '=', 'carol').executeTakeFirstOrThrow();
      expect(newest.id).toBeGreaterThan(3);
    } finally {
      await r.close();
    }
  }, 180_000);

  it('reads one moment: what the server writes while a backup reads is in none of its tables', async () => {
    const a = await makeTestApp(dialect);
    const out = tempDir();
    dirs.push(out);
    const place = placeOfApp(dialect, a);
    try {
      const admin = await signup(a.app, 'root');
      const bob = await adminCreateUser(a.app, admin.token, { username: 'bob', email: 'bob@example.com' });
      const snap = place.databaseUrl ? await postgresSnapshot(place.databaseUrl) : await sqliteSnapshot(place.dataDir);
      const at = async () => ({
        users: (await a.db.read.selectFrom('users').select('id').execute()).length,
        audit: (await a.db.read.selectFrom('audit_log').select('id').execute()).length,
      });
      const then = await at();
      let manifest: Record<string, { rows: number }>;
      try {
        // Once it is open, the server goes on: a new user, another's email changed, each with its audit entry.
        await adminCreateUser(a.app, admin.token, { username: 'late' });
        const changed = await a.app.inject({
          method: 'PATCH',
          url: `/api/v2/admin/users/${bob.user.id}`,
          headers: bearer(admin.token),
          payload: { email: 'bob@new.example.com' },
        });
        expect(changed.statusCode, changed.body).toBe(200);
        expect(await at()).toEqual({ users: then.users + 1, audit: expect.any(Number) });
        ({ manifest } = await writeBackup(join(out, 'moment.jsonl'), snap, await describeSource(snap), readEnvSecrets(a.dataDir), silentProgress));
      } finally {
        await snap.close();
      }
      expect([manifest.users!.rows, manifest.audit_log!.rows]).toEqual([then.users, then.audit]);
      // Rows are arrays in the order of the header's columns.
      const lines = backupLines(join(out, 'moment.jsonl'));
      const columns: string[] = JSON.parse(lines[0]!).tables.find((x: { name: string }) => x.name === 'users').columns;
      const [username, email] = [columns.indexOf('username'), columns.indexOf('email')];
      const users = lines
        .slice(
          lines.indexOf('{"table":"users"}') + 1,
          lines.findIndex((l) => l.startsWith('{"end":"users"')),
        )
        .map((l) => JSON.parse(l) as unknown[]);
      expect(users.map((u) => [u[username], u[email]])).toEqual([
        ['root', null],
        ['bob', 'bob@example.com'],
      ]);
    } finally {
      await a.close();
    }
  });

  it('refuses a non-empty target, a checksum mismatch, a newer schema and a file without the .env secrets, writing nothing', async () => {
    if (!statSync(file, { throwIfNoEntry: false })) await backup(placeOfApp(dialect, t), file);
    await expect(restore(placeOfApp(dialect, t), file)).rejects.toMatchObject({ code: 'TARGET_NOT_EMPTY' });
    const lines = backupLines(file);
    const tampered = join(tempDir(), 'tampered.jsonl');
    dirs.push(tampered);
    const cases: Array<[string, string[], string]> = [];
    const row = lines.findIndex((l) => l.includes('"alice@example.com"'));
    // A row changed, the file checksum left as it was; then one with a fresh file checksum (the table's still catches it).
    cases.push([
      'BACKUP_CHECKSUM_MISMATCH',
      [...lines.slice(0, row), lines[row]!.replace('alice@example.com', 'mallory@example.com'), ...lines.slice(row + 1)],
      'raw',
    ]);
    cases.push([
      'BACKUP_CHECKSUM_MISMATCH',
      [...lines.slice(0, row), lines[row]!.replace('alice@example.com', 'mallory@example.com'), ...lines.slice(row + 1, -1)],
      'sum',
    ]);
    const header = JSON.parse(lines[0]!);
    cases.push([
      'BACKUP_SCHEMA_TOO_NEW',
      [JSON.stringify({ ...header, migrations: [...header.migrations, '9999_from_the_future'] }), ...lines.slice(1, -1)],
      'sum',
    ]);
    cases.push(['BACKUP_SECRETS_MISSING', lines.slice(0, -1).filter((l) => !l.startsWith('{"secrets"')), 'sum']);
    cases.push(['BACKUP_INVALID', lines.slice(0, Math.floor(lines.length / 2)), 'raw']);
    for (const [code, content, how] of cases) {
      rmSync(tampered, { force: true });
      if (how === 'sum') writeWithChecksum(tampered, content);
      else writeFileSync(tampered, content.join('\n') + '\n');
      const target = await freshTarget();
      const r = cli(['restore', tampered, '--data-dir', target.dataDir, ...(target.place.databaseUrl ? ['--database-url', target.place.databaseUrl] : [])]);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(new RegExp(`^error ${code}: .+\\.\\n$`));
      expect(await targetUntouched(target.dataDir, target.schema), code).toEqual({ files: [], tables: 0 });
    }
  }, 180_000);

  it('restores a backup of an older schema and migrates it forward', async () => {
    if (!statSync(file, { throwIfNoEntry: false })) await backup(placeOfApp(dialect, t), file);
    // The same site as a version before set-password links (0014) would have backed it up.
    const lines = backupLines(file).slice(0, -1);
    const header = JSON.parse(lines[0]!);
    const older = {
      ...header,
      migrations: header.migrations.filter((m: string) => m !== '0014_password_links'),
      tables: header.tables.filter((x: { name: string }) => x.name !== 'password_links'),
    };
    const start = lines.indexOf('{"table":"password_links"}');
    const end = lines.findIndex((l) => l.startsWith('{"end":"password_links"'));
    const manifestAt = lines.findIndex((l) => l.startsWith('{"manifest"'));
    const manifest = JSON.parse(lines[manifestAt]!).manifest;
    delete manifest.password_links;
    const body = lines
      .map((l, i) => (i === 0 ? JSON.stringify(older) : i === manifestAt ? JSON.stringify({ manifest }) : l))
      .filter((_, i) => i < start || i > end);
    const olderFile = join(tempDir(), 'older.jsonl');
    dirs.push(olderFile);
    writeWithChecksum(olderFile, body);
    const target = await freshTarget();
    const restored = await restore(target.place, olderFile);
    expect(restored.migrations).not.toContain('0014_password_links');
    const r = await makeTestApp(dialect, { dataDir: target.dataDir, ...(target.schema ? { pgSchema: target.schema } : {}) });
    try {
      expect(await r.db.read.selectFrom('password_links').selectAll().execute()).toEqual([]);
      const login = await r.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'alice', password: 'alice has a long password' } });
      expect(login.statusCode).toBe(200);
    } finally {
      await r.close();
    }
  }, 180_000);

  it('removes the file when the backup cannot be recorded in the audit log (AUDIT_FAILED)', async () => {
    // The source refuses exactly that one entry, as a database that takes reads but not writes would.
    const refuse =
      dialect === 'sqlite'
        ? [`create trigger refuse_backup_entry before insert on audit_log when new.action = 'database.backup' begin select raise(abort, 'refused'); end`]
        : [
            `create function refuse_backup_entry() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`,
            `create trigger refuse_backup_entry before insert on audit_log for each row when (new.action = 'database.backup') execute function refuse_backup_entry()`,
          ];
    for (const stmt of refuse) await sql.raw(stmt).execute(t.db.write);
    const out = tempDir();
    dirs.push(out);
    const entries = async () => (await t.db.read.selectFrom('audit_log').select('id').where('action', '=', 'database.backup').execute()).length;
    const had = await entries();
    try {
      await expect(backup(placeOfApp(dialect, t), join(out, 'refused.jsonl.gz'))).rejects.toMatchObject({
        code: 'AUDIT_FAILED',
        message: expect.stringMatching(/^The backup was written but its entry in the audit log of .+ was not \(.*refused.*\), so the file was removed\.$/),
      });
      expect(readdirSync(out)).toEqual([]);
      expect(await entries()).toBe(had);
    } finally {
      await sql.raw('drop trigger refuse_backup_entry' + (dialect === 'postgres' ? ' on audit_log' : '')).execute(t.db.write);
      if (dialect === 'postgres') await sql.raw('drop function refuse_backup_entry()').execute(t.db.write);
    }
  }, 60_000);
});

// PostgreSQL lets the test hold the backup still: a lock on a table it reads.
describe.each(dialects().filter((d) => d === 'postgres'))('backup beside a serving server (%s)', (dialect) => {
  it('reads and writes at the lowest CPU priority in every thread but the main one, which keeps its own for the audit entry', async () => {
    const t = await makeTestApp(dialect);
    const out = tempDir();
    const holder = new pg.Client({ connectionString: urlWithSchema(t.pgSchema!) });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table users in access exclusive mode');
      const backing = backupProcess(join(out, 'niced.jsonl.gz'), t.dataDir, urlWithSchema(t.pgSchema!));
      // Each thread's nice value: field 19 of /proc/PID/task/TID/stat, counted after the command name's ")".
      const nices = () =>
        readdirSync(`/proc/${backing.pid}/task`).map((tid) => {
          const stat = readFileSync(`/proc/${backing.pid}/task/${tid}/stat`, 'utf8');
          return { main: Number(tid) === backing.pid, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
        });
      let seen: Array<{ main: boolean; nice: number }> = [];
      // Until the backup's thread waits on the lock with the threads lowered (or 20 s).
      for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
        seen = nices();
        const waiting = await holder.query(`select 1 from pg_locks where not granted and relation = 'users'::regclass`);
        if (seen.some((s) => !s.main && s.nice === 19) && waiting.rowCount) break;
      }
      const lowered = seen.filter((s) => !s.main).map((s) => s.nice);
      expect(lowered.length).toBeGreaterThan(4);
      expect(lowered).toEqual(lowered.map(() => 19));
      expect(seen.filter((s) => s.main).map((s) => s.nice)).toEqual([0]);
      await holder.query('rollback');
      expect((await backing.done).code).toBe(0);
    } finally {
      await holder.end();
      await t.close();
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
