import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

interface Refusal {
  error: string;
  message: string;
  fields: Array<{ field: string; message: string }>;
}

describe.each(dialects())('a username may not be another account’s email, nor the reverse (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const cli = { userId: null, username: 'cli', ip: null };
  const refused = (res: LightMyRequestResponse, code: string, field: string) => {
    const body = json<Refusal>(res);
    expect([res.statusCode, body.error, body.fields?.[0]?.field]).toEqual([409, code, field]);
    return body;
  };

  it('regression: a username equal to another account’s email (BOSS@corp.example beside alice’s boss@corp.example) took over her email sign-in', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    const alice = await adminCreateUser(t.app, admin.token, { username: 'alice', email: 'boss@corp.example' });
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    const squat = 'BOSS@corp.example';

    const created = refused(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(admin.token), payload: { username: squat, password: STRONG_PASSWORD } }),
      'USERNAME_TAKEN',
      'username',
    );
    expect(created.message).toBe("The username “BOSS@corp.example” is another account's email address: choose a different username.");
    refused(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: squat, password: STRONG_PASSWORD } }),
      'USERNAME_TAKEN',
      'username',
    );
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    refused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/invitations/accept',
        payload: { token: inv.token, username: 'ＢＯＳＳ@corp.example', password: STRONG_PASSWORD },
      }),
      'USERNAME_TAKEN',
      'username',
    );
    refused(
      await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${bob.user.id}`, headers: bearer(admin.token), payload: { username: squat } }),
      'USERNAME_TAKEN',
      'username',
    );
    await expect(t.services.users.create(cli, { username: squat, password: STRONG_PASSWORD })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    await expect(t.services.users.update(cli, bob.user.id, { username: 'boss@CORP.example' })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    // The refused invitation is still usable.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v2/auth/invitations/accept',
          payload: { token: inv.token, username: 'carol', password: STRONG_PASSWORD },
        })
      ).statusCode,
    ).toBe(201);

    // Alice's email signs her in, and a wrong password there counts against her, nobody else.
    const byEmail = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: squat, password: STRONG_PASSWORD } });
    expect(byEmail.statusCode).toBe(200);
    const me = json<{ id: number }>(await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(json<{ token: string }>(byEmail).token) }));
    expect(me.id).toBe(alice.user.id);
    const names = (await t.db.read.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username);
    expect(names).toEqual(['admin', 'alice', 'bob', 'carol']);
  });

  it('regression: an email equal to another account’s username was accepted, so that address signed in as the other account', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    await adminCreateUser(t.app, admin.token, { username: 'carol@corp.example' });
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    const taken = 'Carol@Corp.example';

    const created = refused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/admin/users',
        headers: bearer(admin.token),
        payload: { username: 'dave', email: taken, password: STRONG_PASSWORD },
      }),
      'EMAIL_TAKEN',
      'email',
    );
    expect(created.message).toBe("The email “Carol@Corp.example” is another account's username: choose a different email.");
    refused(
      await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${bob.user.id}`, headers: bearer(admin.token), payload: { email: taken } }),
      'EMAIL_TAKEN',
      'email',
    );
    // A fullwidth address signs in as the username it normalises to, so it is the same clash.
    refused(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v2/admin/users/${bob.user.id}`,
        headers: bearer(admin.token),
        payload: { email: 'ｃａｒｏｌ@corp.example' },
      }),
      'EMAIL_TAKEN',
      'email',
    );
    refused(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'erin', email: taken, password: STRONG_PASSWORD } }),
      'EMAIL_TAKEN',
      'email',
    );
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    refused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/invitations/accept',
        payload: { token: inv.token, username: 'frank', email: taken, password: STRONG_PASSWORD },
      }),
      'EMAIL_TAKEN',
      'email',
    );
    await expect(t.services.users.create(cli, { username: 'gus', email: taken, password: STRONG_PASSWORD })).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    await expect(t.services.users.update(cli, bob.user.id, { email: taken })).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    expect(
      json<{ email: string | null }>(await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${bob.user.id}`, headers: bearer(admin.token) })).email,
    ).toBeNull();

    // One's own username as one's own email is no clash, and neither is keeping it.
    const self = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/users',
      headers: bearer(admin.token),
      payload: { username: 'hal@corp.example', email: 'HAL@corp.example', password: STRONG_PASSWORD },
    });
    expect(self.statusCode).toBe(201);
    const halId = json<{ user: { id: number } }>(self).user.id;
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v2/admin/users/${halId}`,
          headers: bearer(admin.token),
          payload: { username: 'Hal@corp.example', email: 'hal@corp.example' },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('a pair that already clashed stays as it was: both keep signing in as before, and edits that change neither name nor email go through', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const alice = await adminCreateUser(t.app, admin.token, { username: 'alice', email: 'boss@corp.example' });
    const squatter = await adminCreateUser(t.app, admin.token, { username: 'squatter' });
    // Made before the rule, straight in the database.
    await sql`update users set username = 'BOSS@corp.example', username_lower = 'boss@corp.example' where id = ${squatter.user.id}`.execute(t.db.write);
    const login = (username: string) => t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username, password: STRONG_PASSWORD } });
    expect((await login('alice')).statusCode).toBe(200);
    expect((await login('boss@corp.example')).statusCode).toBe(200); // the username wins, as before
    for (const [id, patch] of [
      [alice.user.id, { is_staff: true }],
      [squatter.user.id, { is_staff: true, email: 'other@corp.example' }],
    ] as const) {
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(admin.token), payload: patch })).statusCode).toBe(200);
    }
  });
});
