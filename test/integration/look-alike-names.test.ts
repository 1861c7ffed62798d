import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';
import { usernameSkeleton } from '../../src-server/users/username-identity.ts';

interface Refusal {
  error: string;
  message: string;
  fields: Array<{ field: string; message: string }>;
}

describe.each(dialects())('look-alike usernames (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const create = (token: string, username: string) => t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(token), payload: { username, password: STRONG_PASSWORD } });

  it('regression: аdmin (Cyrillic а), ａｄｍｉｎ (fullwidth), admın (dotless ı), ʟᴀᴅᴍɪɴ and ẞ were created beside admin, ladmin and ss', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    for (const existing of ['ladmin', 'ss']) expect((await create(admin.token, existing)).statusCode).toBe(201);
    const clashes: Array<[string, string]> = [
      ['аdmin', 'admin'],
      ['ａｄｍｉｎ', 'admin'],
      ['admın', 'admin'],
      ['ADMIN', 'admin'],
      ['adrnin', 'admin'],
      ['ʟᴀᴅᴍɪɴ', 'ladmin'],
      ['ẞ', 'ss'],
      ['ß', 'ss'],
    ];
    for (const [name, existing] of clashes) {
      const res = await create(admin.token, name);
      expect([res.statusCode, name]).toEqual([409, name]);
      const body = json<Refusal>(res);
      expect(body.error).toBe('USERNAME_TAKEN');
      expect(body.fields[0]!.field).toBe('username');
      // The sentence names the clash (an exact duplicate needs no naming).
      if (name.normalize('NFKC').toLowerCase() !== existing) expect(body.message).toContain(`“${existing}”`);
    }
    const list = json<{ results: Array<{ username: string }> }>(await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(admin.token) }));
    expect(list.results.map((u) => u.username).sort()).toEqual(['admin', 'ladmin', 'ss']);
  });

  it('sign-up, invitations and renames meet the same rule; names are stored in NFKC form and sign in either way', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    const viaSignup = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'аdmin', password: STRONG_PASSWORD } });
    expect([viaSignup.statusCode, json<Refusal>(viaSignup).message]).toEqual([409, 'The username “аdmin” looks too much like the existing username “admin”: choose one that reads differently.']);

    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    const viaInvite = await t.app.inject({ method: 'POST', url: '/api/v2/auth/invitations/accept', payload: { token: inv.token, username: 'admın', password: STRONG_PASSWORD } });
    expect([viaInvite.statusCode, json(viaInvite).error]).toEqual([409, 'USERNAME_TAKEN']);
    // The clash rolled back: the link still works, and the fullwidth name is stored as plain letters.
    const accepted = await t.app.inject({ method: 'POST', url: '/api/v2/auth/invitations/accept', payload: { token: inv.token, username: 'ｂｏｂ', password: STRONG_PASSWORD } });
    expect(accepted.statusCode).toBe(201);
    const bob = json<{ user: { id: number; username: string } }>(accepted).user;
    expect(bob.username).toBe('bob');

    const rename = (id: number, username: string) => t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(admin.token), payload: { username } });
    const renamed = await rename(bob.id, 'аdmin');
    expect([renamed.statusCode, json<Refusal>(renamed).fields[0]!.message]).toEqual([409, 'looks like the existing username “admin”']);
    // Renaming oneself to a look-alike of oneself is fine.
    expect((await rename(admin.user.id, 'Admin')).statusCode).toBe(200);

    for (const typed of ['ｂｏｂ', 'BOB', 'bob']) {
      const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: typed, password: STRONG_PASSWORD } });
      expect([typed, login.statusCode]).toEqual([typed, 200]);
    }
    // The command line goes through the same rule.
    await expect(t.services.users.create({ userId: null, username: 'cli', ip: null }, { username: 'bοb', password: STRONG_PASSWORD })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
  });

  it('accounts made before names were normalised keep signing in, and the oldest of a look-alike group guards the name', async () => {
    const dataDir = tempDir();
    const pgSchema = dialect === 'postgres' ? await createSchema() : undefined;
    const opts = { dataDir, ...(pgSchema ? { pgSchema } : {}) };
    try {
      t = await makeTestApp(dialect, opts);
      const admin = await signup(t.app, 'admin');
      await adminCreateUser(t.app, admin.token, { username: 'carol' });
      // Back to the schema before look-alike checks, and rows it allowed.
      const k = t.db.kysely;
      await sql`drop index users_username_skeleton_uq`.execute(k);
      await sql`alter table users drop column username_skeleton`.execute(k);
      await sql`delete from graphistry_admin_migrations where name = '0003a_username_skeleton'`.execute(k);
      const hash = (await k.selectFrom('users').select('password_hash').where('username', '=', 'carol').executeTakeFirstOrThrow()).password_hash;
      const legacy = ['аdmin', 'ａｄｍｉｎ', 'ᴄarol'];
      const flag = dialect === 'postgres' ? sql`true` : sql`1`;
      const off = dialect === 'postgres' ? sql`false` : sql`0`;
      for (const name of legacy) {
        await sql`insert into users (username, username_lower, password_hash, is_active, is_staff, is_superuser, auth_epoch, date_joined) values (${name}, ${name.toLowerCase()}, ${hash}, ${flag}, ${off}, ${off}, 0, '2026-01-01T00:00:00.000Z')`.execute(k);
      }
      await t.close();

      t = await makeTestApp(dialect, opts); // migrates again
      const rows = await t.db.kysely.selectFrom('users').select(['username', 'username_skeleton']).orderBy('id').execute();
      expect(rows).toEqual([
        { username: 'admin', username_skeleton: usernameSkeleton('admin') },
        { username: 'carol', username_skeleton: usernameSkeleton('carol') },
        { username: 'аdmin', username_skeleton: null },
        { username: 'ａｄｍｉｎ', username_skeleton: null },
        { username: 'ᴄarol', username_skeleton: null },
      ]);
      // Every old account signs in with its own name, the fullwidth one included (as typed wins over its NFKC form).
      for (const name of legacy) {
        const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: name, password: STRONG_PASSWORD } });
        expect([name, login.statusCode, json<{ token?: string }>(login).token ? 'token' : 'none']).toEqual([name, 200, 'token']);
      }
      const who = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'ａｄｍｉｎ', password: STRONG_PASSWORD } });
      const me = json<{ username: string }>(await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(json<{ token: string }>(who).token) }));
      expect(me.username).toBe('ａｄｍｉｎ');
      // A new look-alike still meets the oldest of the group.
      const token = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: STRONG_PASSWORD } })).token;
      const refused = await create(token, 'αdmin');
      expect([refused.statusCode, json<Refusal>(refused).message]).toEqual([409, 'The username “αdmin” looks too much like the existing username “admin”: choose one that reads differently.']);
    } finally {
      await t?.close();
      t = undefined as unknown as TestApp;
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
