import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { createFastTestHasher, type PasswordHasher } from '../../src-server/lib/password-hasher.ts';

const cli = { userId: null, username: 'cli', ip: null };
const URL_ = '/api/v2/admin/organizations/acme/users';

/** A membership insert that always fails, made by the test: the injected failure. */
const FAILING_TRIGGER: Record<string, string[]> = {
  sqlite: ["create trigger fail_members before insert on organization_members begin select raise(abort, 'injected failure'); end"],
  postgres: [
    "create function fail_members() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$",
    'create trigger fail_members before insert on organization_members for each row execute function fail_members()',
  ],
};
const DROP_TRIGGER: Record<string, string[]> = {
  sqlite: ['drop trigger fail_members'],
  postgres: ['drop trigger fail_members on organization_members', 'drop function fail_members()'],
};

describe.each(dialects())('creating a user in an organization (%s)', (dialect) => {
  let t: TestApp;
  let root: SignedUp;
  /** Runs once, after the next password is hashed (before the transaction): a failure's window. */
  let afterHash: (() => Promise<unknown>) | null = null;
  afterEach(async () => t?.close());

  async function setUp() {
    const fast = createFastTestHasher();
    const hasher: PasswordHasher = {
      verify: fast.verify,
      async hash(password) {
        const hash = await fast.hash(password);
        const then = afterHash;
        afterHash = null;
        if (then) await then();
        return hash;
      },
    };
    t = await makeTestApp(dialect, { hasher });
    root = await signup(t.app, 'root');
    await t.services.orgs.create(cli, { slug: 'acme' }, { admin: null });
  }

  /** What exists of `username`: the account, its keys, memberships and audit rows naming it. */
  async function traces(username: string) {
    const user = await t.db.read.selectFrom('users').select('id').where('username_lower', '=', username).executeTakeFirst();
    const keys = user ? await t.db.read.selectFrom('personal_keys').select('id').where('user_id', '=', user.id).execute() : [];
    const members = user ? await t.db.read.selectFrom('organization_members').select('user_id').where('user_id', '=', user.id).execute() : [];
    const audit = await t.db.read.selectFrom('audit_log').select('action').where('action', 'not like', 'auth.%').where('target', '=', username).execute();
    const orgAudit = await t.db.read.selectFrom('audit_log').select('detail').where('action', '=', 'org.member.add').execute();
    return {
      user: Boolean(user),
      keys: keys.length,
      members: members.length,
      audit: audit.map((r) => r.action).sort(),
      orgAudit: orgAudit.filter((r) => String(r.detail).includes(`"${username}"`)).length,
    };
  }

  it('makes the account, its first key and the membership, audited as three entries', async () => {
    await setUp();
    const res = await t.app.inject({
      method: 'POST',
      url: URL_,
      headers: bearer(root.token),
      payload: { username: 'ana', password: STRONG_PASSWORD, email: 'ana@example.com', role: 'admin' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = json<{ user: { id: number; username: string }; key: { authorization: string }; member: { user_id: number; role: string; username: string } }>(
      res,
    );
    expect(body.user.username).toBe('ana');
    expect(body.member).toMatchObject({ user_id: body.user.id, role: 'admin', username: 'ana', invited_by: root.user.id, invited_by_username: 'root' });
    // The key works.
    const exchange = await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: body.key.authorization } });
    expect(exchange.statusCode).toBe(200);
    expect(await traces('ana')).toEqual({ user: true, keys: 1, members: 1, audit: ['key.create', 'user.create'], orgAudit: 1 });
    const entry = await t.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'org.member.add').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ target_type: 'organization', target: 'acme', actor: 'root' });
    expect(JSON.parse(entry.detail!)).toMatchObject({ username: 'ana', role: 'admin', via: 'create_user' });
    // Default role: member.
    const ben = await t.app.inject({ method: 'POST', url: URL_, headers: bearer(root.token), payload: { username: 'ben', password: STRONG_PASSWORD } });
    expect(json<{ member: { role: string } }>(ben).member.role).toBe('member');
  });

  it('a failure at the membership insert (an injected trigger) writes nothing: no user, key, membership or audit row', async () => {
    await setUp();
    for (const s of FAILING_TRIGGER[dialect]!) await sql.raw(s).execute(t.db.write);
    const auditBefore = await t.db.read.selectFrom('audit_log').select('id').execute();
    const res = await t.app.inject({ method: 'POST', url: URL_, headers: bearer(root.token), payload: { username: 'ana', password: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(500);
    expect(json(res).error).toBe('INTERNAL');
    expect(await traces('ana')).toEqual({ user: false, keys: 0, members: 0, audit: [], orgAudit: 0 });
    expect(await t.db.read.selectFrom('audit_log').select('id').execute()).toHaveLength(auditBefore.length);
    // Without the failure, the same request goes through: the name was not left half-taken.
    for (const s of DROP_TRIGGER[dialect]!) await sql.raw(s).execute(t.db.write);
    const again = await t.app.inject({ method: 'POST', url: URL_, headers: bearer(root.token), payload: { username: 'ana', password: STRONG_PASSWORD } });
    expect(again.statusCode, again.body).toBe(201);
  });

  it('the organization deleted while the password was hashed: ORG_NOT_FOUND and no user', async () => {
    await setUp();
    afterHash = () => t.db.write.deleteFrom('organizations').where('slug', '=', 'acme').execute();
    const res = await t.app.inject({ method: 'POST', url: URL_, headers: bearer(root.token), payload: { username: 'ana', password: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(404);
    expect(json(res)).toMatchObject({ error: 'ORG_NOT_FOUND', message: 'No organization “acme”.' });
    expect(await traces('ana')).toEqual({ user: false, keys: 0, members: 0, audit: [], orgAudit: 0 });
    // An organization that never existed is refused before anything is hashed.
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/organizations/nowhere/users',
      headers: bearer(root.token),
      payload: { username: 'ana', password: STRONG_PASSWORD },
    });
    expect(json(none).error).toBe('ORG_NOT_FOUND');
  });

  it('a username already taken: 409 USERNAME_TAKEN and nothing written', async () => {
    await setUp();
    const before = await t.db.read.selectFrom('audit_log').select('id').execute();
    const res = await t.app.inject({ method: 'POST', url: URL_, headers: bearer(root.token), payload: { username: 'ROOT', password: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(409);
    expect(json(res)).toMatchObject({ error: 'USERNAME_TAKEN', fields: [{ field: 'username' }] });
    expect(await t.db.read.selectFrom('organization_members').selectAll().execute()).toEqual([]);
    expect(await t.db.read.selectFrom('audit_log').select('id').execute()).toHaveLength(before.length);
    expect(await t.db.read.selectFrom('users').select('username').execute()).toEqual([{ username: 'root' }]);
  });
});
