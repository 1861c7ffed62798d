import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';
import { casedUsernameSkeleton, usernameSkeleton } from '../../src-server/lib/username-identity.ts';
import { INVISIBLE_NAME_MESSAGE } from '../../src-shared/user-schemas.ts';

interface Refusal {
  error: string;
  message: string;
  fields: Array<{ field: string; message: string }>;
}

describe.each(dialects())('look-alike usernames (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const create = (token: string, username: string) =>
    t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(token), payload: { username, password: STRONG_PASSWORD } });

  /**
   * Takes the database back to before `undo.migration` (its index and column
   * dropped, its ledger row gone), with an admin, `undo.existing` and the
   * `legacy` rows the older rules allowed (all with the same password), then
   * opens it again, which migrates; `check` runs on the reopened app (`t`).
   */
  async function reopenedAfter(
    undo: { index: string; column: string; migration: string; existing: string },
    legacy: Array<{ username: string; username_skeleton?: string }>,
    check: () => Promise<void>,
  ) {
    const dataDir = tempDir();
    const pgSchema = dialect === 'postgres' ? await createSchema() : undefined;
    const opts = { dataDir, ...(pgSchema ? { pgSchema } : {}) };
    try {
      t = await makeTestApp(dialect, opts);
      const admin = await signup(t.app, 'admin');
      await adminCreateUser(t.app, admin.token, { username: undo.existing });
      const k = t.db.write;
      await sql`drop index ${sql.id(undo.index)}`.execute(k);
      await sql`alter table users drop column ${sql.id(undo.column)}`.execute(k);
      await sql`delete from graphistry_admin_migrations where name = ${undo.migration}`.execute(k);
      const hash = (await k.selectFrom('users').select('password_hash').where('username', '=', undo.existing).executeTakeFirstOrThrow()).password_hash;
      const flag = t.services.usersRepo.flag;
      for (const row of legacy) {
        const values = {
          ...row,
          username_lower: row.username.toLowerCase(),
          password_hash: hash,
          is_active: flag(true),
          is_staff: flag(false),
          is_superuser: flag(false),
          auth_epoch: 0,
          date_joined: '2026-01-01T00:00:00.000Z',
        };
        await k.insertInto('users').values(values).execute();
      }
      await t.close();
      t = await makeTestApp(dialect, opts); // migrates again
      await check();
    } finally {
      await t?.close();
      t = undefined as unknown as TestApp;
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

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
    const list = json<{ results: Array<{ username: string }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(admin.token) }),
    );
    expect(list.results.map((u) => u.username).sort()).toEqual(['admin', 'ladmin', 'ss']);
  });

  it('sign-up, invitations and renames meet the same rule; names are stored in NFKC form and sign in either way', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    const viaSignup = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'аdmin', password: STRONG_PASSWORD } });
    expect([viaSignup.statusCode, json<Refusal>(viaSignup).message]).toEqual([
      409,
      'The username “аdmin” looks too much like the existing username “admin”: choose one that reads differently.',
    ]);

    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    const viaInvite = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: 'admın', password: STRONG_PASSWORD },
    });
    expect([viaInvite.statusCode, json(viaInvite).error]).toEqual([409, 'USERNAME_TAKEN']);
    // The clash rolled back: the link still works, and the fullwidth name is stored as plain letters.
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: 'ｂｏｂ', password: STRONG_PASSWORD },
    });
    expect(accepted.statusCode).toBe(201);
    const bob = json<{ user: { id: number; username: string } }>(accepted).user;
    expect(bob.username).toBe('bob');

    const rename = (id: number, username: string) =>
      t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(admin.token), payload: { username } });
    const renamed = await rename(bob.id, 'аdmin');
    expect([renamed.statusCode, json<Refusal>(renamed).fields[0]!.message]).toEqual([409, 'looks like the existing username “admin”']);
    // Renaming oneself to a look-alike of oneself is fine.
    expect((await rename(admin.user.id, 'Admin')).statusCode).toBe(200);

    for (const typed of ['ｂｏｂ', 'BOB', 'bob']) {
      const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: typed, password: STRONG_PASSWORD } });
      expect([typed, login.statusCode]).toEqual([typed, 200]);
    }
    // The command line goes through the same rule.
    await expect(t.services.users.create({ userId: null, username: 'cli', ip: null }, { username: 'bοb', password: STRONG_PASSWORD })).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
    });
  });

  it('regression: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0; letters that draw as nothing) were accepted anywhere in a name, and aIice (capital I) beside alice', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    const alice = await adminCreateUser(t.app, admin.token, { username: 'alice' });
    const invisible = ['alice\u1160', '\u115Fbob', 'b\u3164ob', 'bob\uFFA0', 'b\u200Bob', 'bob\u2060', 'bo\u00ADb'];
    const refusedAsInvisible = (res: LightMyRequestResponse, name: string) => {
      const body = json<Refusal>(res);
      expect([name, res.statusCode, body.error, body.fields[0]]).toEqual([name, 400, 'VALIDATION', { field: 'username', message: INVISIBLE_NAME_MESSAGE }]);
      expect(body.message).toContain('invisible characters');
    };
    for (const name of invisible) refusedAsInvisible(await create(admin.token, name), name);
    // Sign-up, an invitation, a rename and the command line meet the same rule.
    refusedAsInvisible(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'carol\u1160', password: STRONG_PASSWORD } }),
      'signup',
    );
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    refusedAsInvisible(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/invitations/accept',
        payload: { token: inv.token, username: '\u3164dave', password: STRONG_PASSWORD },
      }),
      'invite',
    );
    refusedAsInvisible(
      await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${alice.user.id}`, headers: bearer(admin.token), payload: { username: 'alice\uFFA0' } }),
      'rename',
    );
    const cli = { userId: null, username: 'cli', ip: null };
    await expect(t.services.users.create(cli, { username: 'erin\u115F', password: STRONG_PASSWORD })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'username', message: INVISIBLE_NAME_MESSAGE }],
    });
    await expect(t.services.users.update(cli, alice.user.id, { username: 'alice\u1160' })).rejects.toMatchObject({ code: 'VALIDATION' });

    // Capital I reads as l: both orders are refused, naming the existing account; a plain i is another name.
    const capitalI = await create(admin.token, 'aIice');
    expect([capitalI.statusCode, json<Refusal>(capitalI).message]).toEqual([
      409,
      'The username “aIice” looks too much like the existing username “alice”: choose one that reads differently.',
    ]);
    expect((await create(admin.token, 'Iab')).statusCode).toBe(201);
    const plainL = await create(admin.token, 'lab');
    expect([plainL.statusCode, json<Refusal>(plainL).fields[0]!.message]).toEqual([409, 'looks like the existing username “Iab”']);
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v2/admin/users/${alice.user.id}`,
      headers: bearer(admin.token),
      payload: { username: 'IAB' },
    });
    expect([renamed.statusCode, json(renamed).error]).toEqual([409, 'USERNAME_TAKEN']);
    const viaSignup = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'ALIce', password: STRONG_PASSWORD } });
    expect([viaSignup.statusCode, json(viaSignup).error]).toEqual([409, 'USERNAME_TAKEN']);
    await expect(t.services.users.create(cli, { username: 'lab', password: STRONG_PASSWORD })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect((await create(admin.token, 'aiice')).statusCode).toBe(201);
    const list = json<{ results: Array<{ username: string }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(admin.token) }),
    );
    expect(list.results.map((u) => u.username).sort()).toEqual(['Iab', 'admin', 'aiice', 'alice']);
  });

  it('names stored before the invisible-letter and capital-I rules keep signing in and can be edited; migration 0008 gives every row its cased skeleton', async () => {
    const legacy = ['aIice', 'bob\u1160'];
    const undo = {
      index: 'users_username_skeleton_cased_idx',
      column: 'username_skeleton_cased',
      migration: '0008_username_skeleton_cased',
      existing: 'alice',
    };
    await reopenedAfter(
      undo,
      legacy.map((username) => ({ username, username_skeleton: usernameSkeleton(username) })),
      async () => {
        const rows = await t.db.read.selectFrom('users').select(['username', 'username_skeleton_cased']).orderBy('id').execute();
        expect(rows).toEqual(['admin', 'alice', ...legacy].map((username) => ({ username, username_skeleton_cased: casedUsernameSkeleton(username) })));
        const token = json<{ token: string }>(
          await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: STRONG_PASSWORD } }),
        ).token;
        for (const name of legacy) {
          const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: name, password: STRONG_PASSWORD } });
          expect([name, login.statusCode]).toEqual([name, 200]);
          // Edits that leave the name out (as the console's editor sends them) are not judged by the new rules.
          const id = (await t.db.read.selectFrom('users').select('id').where('username', '=', name).executeTakeFirstOrThrow()).id;
          const edit = await t.app.inject({
            method: 'PATCH',
            url: `/api/v2/admin/users/${id}`,
            headers: bearer(token),
            payload: { is_staff: true, email: `${id}@example.io` },
          });
          expect([name, edit.statusCode]).toEqual([name, 200]);
        }
        // A new name like either of the old pair is refused.
        expect((await create(token, 'alIce')).statusCode).toBe(409);
      },
    );
  });

  it('accounts made before names were normalised keep signing in, and the oldest of a look-alike group guards the name', async () => {
    // Back to the schema before look-alike checks, and rows it allowed.
    const legacy = ['аdmin', 'ａｄｍｉｎ', 'ᴄarol'];
    const undo = { index: 'users_username_skeleton_uq', column: 'username_skeleton', migration: '0003a_username_skeleton', existing: 'carol' };
    await reopenedAfter(
      undo,
      legacy.map((username) => ({ username })),
      async () => {
        const rows = await t.db.read.selectFrom('users').select(['username', 'username_skeleton']).orderBy('id').execute();
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
        const token = json<{ token: string }>(
          await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'admin', password: STRONG_PASSWORD } }),
        ).token;
        const refused = await create(token, 'αdmin');
        expect([refused.statusCode, json<Refusal>(refused).message]).toEqual([
          409,
          'The username “αdmin” looks too much like the existing username “admin”: choose one that reads differently.',
        ]);
      },
    );
  });
});
