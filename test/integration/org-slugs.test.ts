import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

interface Refusal {
  error: string;
  message: string;
  fields?: Array<{ field: string; message: string }>;
}

const O = '/api/v2/organizations';

describe.each(dialects())('organization ids (slugs) (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const refusal = (res: LightMyRequestResponse) => ({ status: res.statusCode, ...json<Refusal>(res) });

  it('are lower-cased, URL-safe, at most 50 characters, not reserved, and unique whatever the case', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const create = (slug: string, extra: Record<string, unknown> = {}) =>
      t.app.inject({ method: 'POST', url: O, headers: bearer(admin.token), payload: { slug, ...extra } });

    const made = await create(' Acme ', { name: 'Acme Corp' });
    expect(made.statusCode, made.body).toBe(201);
    expect(json(made)).toMatchObject({ slug: 'acme', name: 'Acme Corp', join_policy: 'invite_only', member_count: 1, admin_count: 1, role: 'admin' });
    // The name defaults to the id.
    expect(json(await create('x_1-b'))).toMatchObject({ slug: 'x_1-b', name: 'x_1-b' });
    expect(json(await create('a'.repeat(50))).slug).toBe('a'.repeat(50));

    for (const bad of [
      '',
      ' ',
      'a'.repeat(51),
      'a b',
      'a.b',
      'a/b',
      'a@b',
      'ünï',
      '-acme',
      'acme-',
      '_acme',
      'acme_',
      'sso',
      'SSO',
      'active',
      'join',
      'a\u0000b',
    ]) {
      const res = refusal(await create(bad));
      expect([res.status, res.error, res.fields?.[0]?.field], JSON.stringify(bad)).toEqual([400, 'VALIDATION', 'slug']);
    }
    expect(refusal(await create('sso')).message).toMatch(/reserved/);

    for (const dup of ['ACME', 'acme', ' aCmE']) {
      const res = refusal(await create(dup));
      expect([res.status, res.error, res.fields?.[0]?.field]).toEqual([409, 'SLUG_TAKEN', 'slug']);
      expect(res.message).toBe('An organization with the id “acme” already exists: choose another id.');
    }
    // The slug is immutable: a patch naming it is refused.
    const patch = await t.app.inject({ method: 'PATCH', url: `${O}/acme`, headers: bearer(admin.token), payload: { slug: 'other' } });
    expect(refusal(patch)).toMatchObject({ status: 400, error: 'VALIDATION' });
    // Paths name it in any case.
    expect(json(await t.app.inject({ method: 'GET', url: `${O}/ACME`, headers: bearer(admin.token) }))).toMatchObject({ slug: 'acme' });
    expect(await t.db.read.selectFrom('organizations').select('slug').orderBy('slug').execute()).toHaveLength(3);
  });

  it('never equal a username, any case, whichever comes first', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    await t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } });
    const bob = await adminCreateUser(t.app, admin.token, { username: 'Bob' });

    // A slug equal to a username (personal organizations are named by usernames).
    for (const [url, slug] of [
      [O, 'bob'],
      [O, 'BOB'],
      ['/api/v2/admin/organizations', 'admin'],
    ] as const) {
      const res = refusal(await t.app.inject({ method: 'POST', url, headers: bearer(admin.token), payload: { slug } }));
      expect([res.status, res.error, res.fields?.[0]?.field]).toEqual([409, 'SLUG_TAKEN', 'slug']);
      expect(res.message).toBe(`“${slug.toLowerCase()}” is a username (every user has a personal organization by that name): choose another id.`);
    }

    // A username equal to a slug: new user, rename, sign-up, invitation accept, and the command line's service calls.
    expect((await t.app.inject({ method: 'POST', url: O, headers: bearer(admin.token), payload: { slug: 'acme' } })).statusCode).toBe(201);
    const taken = (res: LightMyRequestResponse, name: string) => {
      const r = refusal(res);
      expect([r.status, r.error, r.fields?.[0]?.field], name).toEqual([409, 'USERNAME_TAKEN', 'username']);
      expect(r.message).toBe(`“${name}” is an organization's id: choose a different username.`);
    };
    taken(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/admin/users',
        headers: bearer(admin.token),
        payload: { username: 'ACME', password: STRONG_PASSWORD },
      }),
      'ACME',
    );
    taken(
      await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${bob.user.id}`, headers: bearer(admin.token), payload: { username: 'Acme' } }),
      'Acme',
    );
    taken(await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'acme', password: STRONG_PASSWORD } }), 'acme');
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    taken(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/invitations/accept',
        payload: { token: inv.token, username: 'aCmE', password: STRONG_PASSWORD },
      }),
      'aCmE',
    );
    // The fullwidth form is the same name once normalised (NFKC), so it is refused too.
    taken(await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'ａｃｍｅ', password: STRONG_PASSWORD } }), 'acme');
    const cli = { userId: null, username: 'cli', ip: null };
    await expect(t.services.users.create(cli, { username: 'ACME', password: STRONG_PASSWORD })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    // Renaming bob to his own name in another case is no clash; the refused invitation is still usable.
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${bob.user.id}`, headers: bearer(admin.token), payload: { username: 'bob' } }))
        .statusCode,
    ).toBe(200);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: 'ana', password: STRONG_PASSWORD },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const names = (await t.db.read.selectFrom('users').select('username_lower').execute()).map((r) => r.username_lower);
    expect(names).not.toContain('acme');
  });

  it('25 organizations and 25 users racing for the same 25 names: each name goes to exactly one', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const names = Array.from({ length: 25 }, (_, i) => `x-${i}`);
    const answers = await Promise.all(
      names.flatMap((name) => [
        t.app.inject({ method: 'POST', url: O, headers: bearer(admin.token), payload: { slug: name } }),
        t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers: bearer(admin.token), payload: { username: name, password: STRONG_PASSWORD } }),
      ]),
    );
    for (let i = 0; i < names.length; i++) {
      const [org, user] = [answers[2 * i]!, answers[2 * i + 1]!];
      const outcome = [org.statusCode, user.statusCode].sort();
      expect(outcome, `${names[i]}: ${org.body} / ${user.body}`).toEqual([201, 409]);
      if (org.statusCode === 409) expect(json(org).error).toBe('SLUG_TAKEN');
      else expect(json(user).error).toBe('USERNAME_TAKEN');
    }
    const slugs = (await t.db.read.selectFrom('organizations').select('slug').execute()).map((r) => r.slug);
    const users = (await t.db.read.selectFrom('users').select('username_lower').execute()).map((r) => r.username_lower);
    for (const name of names) expect(Number(slugs.includes(name)) + Number(users.includes(name)), name).toBe(1);
  });
});
