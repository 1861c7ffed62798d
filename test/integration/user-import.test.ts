import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ImportReport } from '../../src-shared/user-import-schemas.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

describe.each(dialects())('user import (%s)', (dialect) => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = (await signup(t.app, 'admin')).token;
    await adminCreateUser(t.app, admin, { username: 'Existing', email: 'existing@example.com' });
    await t.app.inject({ method: 'POST', url: '/api/v2/admin/organizations', headers: bearer(admin), payload: { slug: 'acme' } });
  });
  afterAll(async () => t?.close());

  const importFile = async (content: string | Uint8Array, body: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v2/admin/users/import', headers: bearer(admin), payload: { content: b64(content), dry_run: false, ...body } });
  const report = async (content: string | Uint8Array, body: Record<string, unknown> = {}) => {
    const res = await importFile(content, body);
    expect(res.statusCode, res.body).toBe(200);
    return json<ImportReport>(res);
  };
  /** Everything an import may write, to compare before and after. */
  const snapshot = async () => ({
    users: (
      await sql<{
        id: number;
        username: string;
        email: string | null;
        is_staff: unknown;
        password_hash: string;
      }>`select id, username, email, is_staff, password_hash from users order by id`.execute(t.db.read)
    ).rows,
    keys: Number((await sql<{ n: number }>`select count(*) as n from personal_keys`.execute(t.db.read)).rows[0]!.n),
    links: Number((await sql<{ n: number }>`select count(*) as n from password_links`.execute(t.db.read)).rows[0]!.n),
    invitations: Number((await sql<{ n: number }>`select count(*) as n from invitations`.execute(t.db.read)).rows[0]!.n),
    members: Number((await sql<{ n: number }>`select count(*) as n from organization_members`.execute(t.db.read)).rows[0]!.n),
  });

  it('gives each hostile row its own error and writes nothing, all or nothing', async () => {
    const before = await snapshot();
    const hostile = [
      '\uFEFFusername;email;organization',
      'good1;good1@example.com;',
      '"multi;line";"a',
      'b@example.com";', // a quoted newline: the row starts on line 3
      'good1;dup@example.com;', // repeated row
      'EXISTING;;', // an existing user in another case
      'аdmin;;', // Cyrillic а: looks like admin
      '"=HYPERLINK(""http://evil.example"",""x"")";;',
      'eve;"=HYPERLINK(""http://evil.example"")";',
      'fay;;no-such-org',
      'gus;existing@example.com;',
      'good2;good2@example.com;acme',
    ].join('\r\n');
    const r = await report(hostile, { on_existing: 'error' });
    expect(r.committed).toBe(false);
    expect(r.message).toMatch(/nothing was written/);
    expect(r.rows.map((x) => [x.line, x.outcome, x.code ?? null, x.column ?? null])).toEqual([
      [2, 'create', null, null],
      [3, 'error', 'INVALID_USERNAME', 'username'],
      [5, 'error', 'DUPLICATE_USERNAME', 'username'],
      [6, 'error', 'USERNAME_TAKEN', 'username'],
      [7, 'error', 'USERNAME_TAKEN', 'username'],
      [8, 'error', 'INVALID_USERNAME', 'username'],
      [9, 'error', 'INVALID_EMAIL', 'email'],
      [10, 'error', 'ORG_NOT_FOUND', 'organization'],
      [11, 'error', 'EMAIL_TAKEN', 'email'],
      [12, 'create', null, null],
    ]);
    expect(r.rows[4]!.message).toMatch(/looks too much like the existing username “admin”/);
    expect(r.rows.every((x) => !x.written && !x.link && !x.key)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a whole file with a sentence: 10 MB, not UTF-8, an unknown column', async () => {
    const before = await snapshot();
    const big = await importFile(new Uint8Array(10 * 1000 * 1000).fill(0x61));
    expect(big.statusCode).toBe(413);
    expect(json(big)).toMatchObject({ error: 'FILE_TOO_LARGE', message: expect.stringMatching(/at most 8 MiB/) });
    const latin1 = await importFile(Uint8Array.from([...Buffer.from('username\nj'), 0xe9, ...Buffer.from('r\n')]));
    expect(json(latin1)).toEqual({ error: 'NOT_UTF8', message: expect.stringMatching(/line 2 .*save the file as UTF-8/) });
    const unknown = await importFile('username,password\nana,secret\n');
    expect(json(unknown)).toMatchObject({ error: 'UNKNOWN_COLUMN', message: expect.stringContaining('“password”') });
    expect(await snapshot()).toEqual(before);
  });

  it('dry run gives the outcomes and writes nothing; the import then writes them, with no key unless asked', async () => {
    const before = await snapshot();
    const file = 'username,email,is_staff,organization,role\nana,ana@example.com,yes,acme,admin\nben,,,,\n';
    const dry = await report(file, { dry_run: true });
    expect(dry.rows.map((x) => [x.line, x.username, x.outcome, x.written])).toEqual([
      [2, 'ana', 'create', false],
      [3, 'ben', 'create', false],
    ]);
    expect(dry.message).toMatch(/^Dry run, nothing written/);
    expect(await snapshot()).toEqual(before);
    const real = await report(file);
    expect(real.committed).toBe(true);
    expect(real.counts).toMatchObject({ create: 2, written: 2 });
    expect(real.rows.every((x) => x.written && x.link?.path.startsWith('/set-password/') && !x.key)).toBe(true);
    const after = await snapshot();
    expect(after.keys).toBe(before.keys);
    expect(after.users).toHaveLength(before.users.length + 2);
    expect(after.users.slice(-2).every((u) => u.password_hash.startsWith('!'))).toBe(true);
    expect(after.members).toBe(before.members + 1);
    const audit = await sql<{ action: string }>`select action from audit_log where action in ('user.create', 'users.import') order by id desc limit 3`.execute(
      t.db.read,
    );
    expect(audit.rows.map((a) => a.action)).toEqual(['users.import', 'user.create', 'user.create']);
  });

  it('sets a password once through the link; the account then signs in with /api-token-auth/', async () => {
    const r = await report('username\ncarl\n');
    const path = r.rows[0]!.link!.path;
    const browser = formClient(t.app);
    expect((await browser.get(path)).body).toContain('carl');
    expect((await browser.post(path, { password: STRONG_PASSWORD, password2: STRONG_PASSWORD }, { csrf: null })).statusCode).toBe(403);
    await browser.get(path);
    const done = await browser.post(path, { password: STRONG_PASSWORD, password2: STRONG_PASSWORD });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain('Password set');
    const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'carl', password: STRONG_PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    const again = await browser.get(path);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already been used');
    expect((await formClient(t.app).get('/set-password/nonsense/')).statusCode).toBe(404);
  });

  it('with continue_on_error writes the valid rows and lists the rest', async () => {
    const r = await report('username,email\ndora,\nbad name,\nellen,existing@example.com\nfred,\n', { continue_on_error: true });
    expect(r.rows.map((x) => [x.line, x.outcome, x.written])).toEqual([
      [2, 'create', true],
      [3, 'error', false],
      [4, 'error', false],
      [5, 'create', true],
    ]);
    expect(r.message).toBe('2 created. 2 rows with errors were not written.');
    const names = (await sql<{ username: string }>`select username from users where username in ('dora', 'fred', 'ellen')`.execute(t.db.read)).rows;
    expect(names.map((n) => n.username).sort()).toEqual(['dora', 'fred']);
  });

  it('treats existing users as on_existing says: skip, update, error', async () => {
    const file = 'username,email,is_staff\nexisting,new@example.com,true\n';
    const skip = await report(file, { on_existing: 'skip' });
    expect(skip.rows[0]).toMatchObject({ outcome: 'skip', written: false });
    const error = await report(file, { on_existing: 'error' });
    expect(error.rows[0]).toMatchObject({ outcome: 'error', code: 'USERNAME_TAKEN' });
    expect(error.committed).toBe(false);
    const before = await snapshot();
    const update = await report(file, { on_existing: 'update' });
    expect(update.rows[0]).toMatchObject({ outcome: 'update', written: true });
    const row = (await sql<{ email: string; is_staff: unknown }>`select email, is_staff from users where username = 'Existing'`.execute(t.db.read)).rows[0]!;
    expect(row.email).toBe('new@example.com');
    expect(row.is_staff === true || row.is_staff === 1).toBe(true);
    expect((await snapshot()).users).toHaveLength(before.users.length);
  });

  it('makes one key per created user only with with_keys, and invitations in invite mode', async () => {
    const before = await snapshot();
    const keyed = await report('username\ngina\nhal\n', { with_keys: true });
    expect(keyed.rows.every((x) => x.key?.secret && x.key.authorization.startsWith('PersonalKey '))).toBe(true);
    expect((await snapshot()).keys).toBe(before.keys + 2);
    const invited = await report('username,organization,role\nivy,,\njon,acme,admin\n', { mode: 'invite' });
    expect(invited.rows.map((x) => [x.outcome, x.link?.path.startsWith('/accounts/invite/')])).toEqual([
      ['invite', true],
      ['invite', true],
    ]);
    const after = await snapshot();
    expect(after.invitations).toBe(before.invitations + 2);
    expect(after.users).toHaveLength(before.users.length + 2);
  });
});
