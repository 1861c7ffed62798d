import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { bearer, dialects, json, makeTestApp, signup, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';

/** Back to a database of before issue 21: single sign-on's tables (0012, which refer to organizations) and the three tables gone, `invitations` as migration 0002 made it. */
const UNDO_0012 = ['drop table sso_states', 'drop table sso_identities', 'drop table sso_providers'];
const UNDO_0011: Record<string, string[]> = {
  sqlite: [
    ...UNDO_0012,
    `create table invitations_0010 (id varchar(32) primary key, token_hash varchar(64) not null unique, note varchar(254),
      grant_staff integer not null default 0, created_by varchar(150) not null, created_at varchar(32) not null,
      expires_at varchar(32) not null, used_at varchar(32), used_by integer references users(id) on delete set null, revoked_at varchar(32))`,
    'insert into invitations_0010 select id, token_hash, note, grant_staff, created_by, created_at, expires_at, used_at, used_by, revoked_at from invitations',
    'drop table invitations',
    'alter table invitations_0010 rename to invitations',
    'drop table org_sessions',
    'drop table organization_members',
    'drop table organizations',
  ],
  postgres: [
    ...UNDO_0012,
    'alter table invitations drop column organization_id, drop column org_role, drop column created_by_id',
    'drop table org_sessions',
    'drop table organization_members',
    'drop table organizations',
  ],
};

describe.each(dialects())('migration 0011: organizations (%s)', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a database made at 0010 with users and invitations migrates, keeping both', async () => {
    const dataDir = tempDir();
    const pgSchema = dialect === 'postgres' ? await createSchema() : undefined;
    const opts = { dataDir, ...(pgSchema ? { pgSchema } : {}) };
    try {
      t = await makeTestApp(dialect, opts);
      const admin = await signup(t.app, 'admin');
      const invite = await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: { note: 'for ana' } });
      expect(invite.statusCode, invite.body).toBe(201);
      for (const s of UNDO_0011[dialect]!) await sql.raw(s).execute(t.db.write);
      await sql`delete from graphistry_admin_migrations where name in ('0011_organizations', '0012_sso')`.execute(t.db.write);
      await t.close();

      t = await makeTestApp(dialect, opts); // migrates again
      const ledger = await sql<{ name: string }>`select name from graphistry_admin_migrations where name = '0011_organizations'`.execute(t.db.read);
      expect(ledger.rows).toHaveLength(1);
      const rows = await t.db.read.selectFrom('invitations').select(['note', 'organization_id', 'org_role', 'created_by_id']).execute();
      expect(rows).toEqual([{ note: 'for ana', organization_id: null, org_role: null, created_by_id: null }]);
      expect((await t.db.read.selectFrom('users').select('username').execute()).map((r) => r.username)).toEqual(['admin']);
      expect(await t.db.read.selectFrom('organizations').selectAll().execute()).toEqual([]);
      // The server still works on it: the site invitation is listed, the admin signs in.
      const list = await t.app.inject({ method: 'GET', url: '/api/v2/admin/invitations?status=all', headers: bearer(admin.token) });
      expect(json<{ results: unknown[] }>(list).results).toHaveLength(1);
    } finally {
      await t?.close();
      t = undefined;
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the constraints hold at the SQL level: unique lower-case slugs, known roles and policies, cascades', async () => {
    t = await makeTestApp(dialect);
    const db = t.db.write;
    const admin = await signup(t.app, 'admin');
    const at = new Date().toISOString();
    const org = await db
      .insertInto('organizations')
      .values({ slug: 'acme', name: 'Acme', join_policy: 'invite_only', created_at: at, created_by: 'admin' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const insertOrg = (slug: string, policy = 'invite_only') =>
      sql`insert into organizations (slug, name, join_policy, created_at) values (${slug}, ${'X'}, ${policy}, ${at})`.execute(db);
    await expect(insertOrg('acme')).rejects.toThrow(/unique|duplicate/i);
    await expect(insertOrg('Beta')).rejects.toThrow(/check|constraint/i);
    await expect(insertOrg('')).rejects.toThrow(/check|constraint/i);
    await expect(insertOrg('x'.repeat(51))).rejects.toThrow();
    await expect(insertOrg('beta', 'anyone')).rejects.toThrow(/check|constraint/i);
    // The column's default policy is invite_only.
    await sql`insert into organizations (slug, name, created_at) values ('gamma', 'Gamma', ${at})`.execute(db);
    const gamma = await t.db.read.selectFrom('organizations').select('join_policy').where('slug', '=', 'gamma').executeTakeFirstOrThrow();
    expect(gamma.join_policy).toBe('invite_only');

    const member = (role: string, userId = admin.user.id) =>
      sql`insert into organization_members (organization_id, user_id, role, joined_at) values (${org.id}, ${userId}, ${role}, ${at})`.execute(db);
    await expect(member('owner')).rejects.toThrow(/check|constraint/i);
    await member('admin');
    await expect(member('member')).rejects.toThrow(/unique|duplicate|primary/i);
    await expect(member('member', 999_999)).rejects.toThrow(/foreign|constraint/i);
    const falseValue = dialect === 'postgres' ? sql`false` : sql`0`;
    const invitation = (id: string, role: string) =>
      sql`insert into invitations (id, token_hash, grant_staff, created_by, created_at, expires_at, organization_id, org_role)
          values (${id}, ${`h-${id}`}, ${falseValue}, 'admin', ${at}, ${at}, ${org.id}, ${role})`.execute(db);
    await expect(invitation('i1', 'owner')).rejects.toThrow(/check|constraint/i);
    await invitation('i2', 'member');
    await sql`insert into org_sessions (sid, user_id, organization_id, switched_at, expires_at) values ('s1', ${admin.user.id}, ${org.id}, ${at}, ${at})`.execute(
      db,
    );

    // Deleting the organization takes its members, its invitations and the sessions switched to it.
    await db.deleteFrom('organizations').where('id', '=', org.id).execute();
    expect(await t.db.read.selectFrom('organization_members').selectAll().execute()).toEqual([]);
    expect(await t.db.read.selectFrom('invitations').selectAll().where('organization_id', 'is not', null).execute()).toEqual([]);
    expect(await t.db.read.selectFrom('org_sessions').selectAll().execute()).toEqual([]);
  });

  it('deleting a user removes their memberships and keeps who they invited, without an inviter', async () => {
    t = await makeTestApp(dialect);
    const db = t.db.write;
    const admin = await signup(t.app, 'admin');
    const bob = json<{ user: { id: number } }>(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/admin/users',
        headers: bearer(admin.token),
        payload: { username: 'bob', password: 'correct horse battery staple' },
      }),
    ).user;
    const at = new Date().toISOString();
    const org = await db
      .insertInto('organizations')
      .values({ slug: 'acme', name: 'Acme', join_policy: 'invite_only', created_at: at, created_by: 'bob' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.insertInto('organization_members').values({ organization_id: org.id, user_id: bob.id, role: 'admin', joined_at: at, invited_by: null }).execute();
    await db
      .insertInto('organization_members')
      .values({ organization_id: org.id, user_id: admin.user.id, role: 'member', joined_at: at, invited_by: bob.id })
      .execute();
    await db.deleteFrom('users').where('id', '=', bob.id).execute();
    const left = await t.db.read.selectFrom('organization_members').select(['user_id', 'invited_by']).execute();
    expect(left).toEqual([{ user_id: admin.user.id, invited_by: null }]);
  });
});
