import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { formClient, sessionCookie } from '../helpers/form-client.ts';
import { manualClock } from '../../src-server/lib/clock.ts';
import { openDatabase } from '../../src-server/db/database.ts';
import { createServices } from '../../src-server/services.ts';
import { loadOrCreateSecrets } from '../../src-server/secrets.ts';
import { createFastTestHasher } from '../../src-server/lib/password-hasher.ts';

/**
 * GET /auth/check, the forward-auth endpoint for nginx auth_request, Traefik
 * ForwardAuth and Caddy forward_auth: who may pass, what it answers, and that
 * every way of losing access (demotion, deactivation, sign-out, key
 * revocation, password change, expiry, a change made by another process)
 * bites on the very next check despite the identity cache.
 */

type Clock = ReturnType<typeof manualClock>;

describe.each(dialects())('forward-auth check (%s)', (dialect) => {
  let t: TestApp;
  let clock: Clock;
  let admin: SignedUp;
  let bob: SignedUp; // an ordinary user
  let carol: SignedUp; // staff, not superuser

  afterEach(async () => t?.close());

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    clock = manualClock(new Date());
    t = await makeTestApp(dialect, { clock, config });
    admin = await signup(t.app, 'admin');
    bob = await adminCreateUser(t.app, admin.token, { username: 'bob', email: 'bob@example.com' });
    carol = await adminCreateUser(t.app, admin.token, { username: 'carol', email: 'carol@example.com', is_staff: true });
  }

  const check = (headers: Record<string, string>, query = '', method: 'GET' | 'POST' = 'GET') => t.app.inject({ method, url: `/auth/check${query}`, headers });

  const sessionOf = (username: string) => sessionCookie(t.app, username, STRONG_PASSWORD);

  function expectPass(res: LightMyRequestResponse, user: string, groups: string): void {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['remote-user']).toBe(user);
    expect(res.headers['remote-groups']).toBe(groups);
    expect(res.headers['cache-control']).toBe('no-store');
  }

  /** The Remote-* headers of an answer. */
  const remoteHeaders = (res: LightMyRequestResponse) => Object.fromEntries(Object.entries(res.headers).filter(([name]) => name.startsWith('remote-')));

  it('lets staff pass by session cookie, Bearer JWT and personal key, with Remote-User, Remote-User-Id, Remote-User-Encoded, Remote-Email(-Encoded) and Remote-Groups', async () => {
    await start();
    const cookie = await sessionOf('carol');
    for (const headers of [{ cookie }, bearer(carol.token), { authorization: carol.key.authorization }]) {
      const res = await check(headers);
      expectPass(res, 'carol', 'staff');
      expect(remoteHeaders(res)).toEqual({
        'remote-user': 'carol',
        'remote-user-id': String(carol.user.id),
        'remote-user-encoded': "UTF-8''carol",
        'remote-email': 'carol@example.com',
        'remote-email-encoded': "UTF-8''carol%40example.com",
        'remote-groups': 'staff',
      });
      expect(res.body).toBe('');
    }
    expectPass(await check({ cookie: `other=1; ${await sessionOf('admin')}; theme=dark` }, '?require=superuser'), 'admin', 'staff,superuser');
    expectPass(await check(bearer(bob.token), '?require=user'), 'bob', '');
  });

  it('Regression (#19, 1): the check answered danaé as Remote-User: dana (non-ASCII removed); now no Remote-User, only Remote-User-Id and the RFC 8187 form', async () => {
    await start();
    const dana = await adminCreateUser(t.app, admin.token, { username: 'dana', email: 'dana@corp.example', is_staff: true });
    const invitation = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: { grant_staff: true } }),
    );
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: invitation.token, username: 'danaé', password: STRONG_PASSWORD, email: 'dana@corpé.example' },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const danae = json<{ user: { id: number }; token: string }>(accepted);
    for (const headers of [bearer(danae.token), { cookie: await sessionOf('danaé') }]) {
      const res = await check(headers);
      expect(res.statusCode).toBe(200);
      expect(remoteHeaders(res)).toEqual({
        'remote-user-id': String(danae.user.id),
        'remote-user-encoded': "UTF-8''dana%C3%A9",
        'remote-email-encoded': "UTF-8''dana%40corp%C3%A9.example",
        'remote-groups': 'staff',
      });
    }
    expect(remoteHeaders(await check(bearer(dana.token)))).toMatchObject({
      'remote-user': 'dana',
      'remote-user-id': String(dana.user.id),
      'remote-email': 'dana@corp.example',
    });
    // Without an email there is no Remote-Email of either form; an ordinary user's Remote-Groups is empty, not absent.
    expect(remoteHeaders(await check(bearer(bob.token), '?require=user'))).toMatchObject({ 'remote-user': 'bob', 'remote-groups': '' });
    const noEmail = await adminCreateUser(t.app, admin.token, { username: 'erin', is_staff: true });
    expect(Object.keys(remoteHeaders(await check(bearer(noEmail.token)))).sort()).toEqual([
      'remote-groups',
      'remote-user',
      'remote-user-encoded',
      'remote-user-id',
    ]);
  });

  it('answers 403 when signed in without the level, whatever the credential', async () => {
    await start();
    const cookie = await sessionOf('bob');
    for (const headers of [{ cookie }, bearer(bob.token), { authorization: bob.key.authorization }]) {
      const res = await check(headers);
      expect(res.statusCode).toBe(403);
      expect(json(res)).toMatchObject({ error: 'FORBIDDEN', message: expect.stringContaining('staff account') });
    }
    expect((await check(bearer(carol.token), '?require=superuser')).statusCode).toBe(403);
  });

  it('answers 401 when nobody is signed in, with the sign-in URL that comes back to the original page', async () => {
    await start();
    const res = await check({ 'x-original-uri': '/notebook/tree?dir=a%20b&x=1' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-login-url']).toBe(`/accounts/login/?next=${encodeURIComponent('/notebook/tree?dir=a%20b&x=1')}`);
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    expect(json(res).error).toBe('UNAUTHENTICATED');
    // Traefik and Caddy name the original URI X-Forwarded-Uri.
    expect((await check({ 'x-forwarded-uri': '/pivot/' })).headers['x-login-url']).toBe('/accounts/login/?next=%2Fpivot%2F');
    // Never a way off this site.
    for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      expect((await check({ 'x-original-uri': evil })).headers['x-login-url']).toBe('/accounts/login/');
    }
    // Bad or dead credentials are the same 401.
    for (const headers of [{ cookie: 'gadm_session=forged-value' }, bearer('not.a.jwt'), { authorization: 'PersonalKey nope:nope' }]) {
      expect((await check(headers)).statusCode).toBe(401);
    }
  });

  it('with redirect=1, sends a browser loading a page to sign-in (302) and still answers scripts 401', async () => {
    await start();
    const page = await check({ accept: 'text/html,application/xhtml+xml', 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/notebook/tree' }, '?redirect=1');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/accounts/login/?next=%2Fnotebook%2Ftree');
    const script = await check({ accept: 'application/json', 'x-forwarded-uri': '/notebook/api/contents' }, '?redirect=1');
    expect(script.statusCode).toBe(401);
    const post = await check({ accept: 'text/html', 'x-forwarded-method': 'POST' }, '?redirect=1');
    expect(post.statusCode).toBe(401);
  });

  it('never trusts identity headers that come with the request', async () => {
    await start();
    const forged = {
      'remote-user': 'admin',
      'remote-groups': 'staff,superuser',
      'x-forwarded-user': 'admin',
      'x-remote-user': 'admin',
      'x-auth-request-user': 'admin',
    };
    expect((await check(forged)).statusCode).toBe(401);
    const withBob = await check({ ...forged, cookie: await sessionOf('bob') }, '?require=user');
    expectPass(withBob, 'bob', '');
  });

  it('accepts the original method of an nginx subrequest (POST with a Content-Type and no body) and refuses an unknown level', async () => {
    await start();
    const res = await t.app.inject({ method: 'POST', url: '/auth/check', headers: { ...bearer(carol.token), 'content-type': 'application/json' } });
    expectPass(res, 'carol', 'staff');
    const bulky = await t.app.inject({
      method: 'POST',
      url: '/auth/check',
      headers: { ...bearer(carol.token), 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(70 * 1024),
    });
    expect(bulky.statusCode).toBe(413);
    expectPass(
      await t.app.inject({ method: 'PUT', url: '/auth/check', headers: { ...bearer(carol.token), 'content-type': 'text/plain' }, payload: 'ignored' }),
      'carol',
      'staff',
    );
    const bad = await check(bearer(carol.token), '?require=root');
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toMatchObject({ error: 'VALIDATION', message: 'require must be user, staff or superuser.' });
  });

  it('demotion, deactivation, sign-out, key revocation and a password change bite on the very next check', async () => {
    await start();
    const cookie = await sessionOf('carol');
    const minted = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: carol.key.authorization } }),
    ).token;
    const all = { cookie: { cookie }, jwt: bearer(carol.token), pkey: { authorization: carol.key.authorization }, minted: bearer(minted) };
    for (const headers of Object.values(all)) expectPass(await check(headers), 'carol', 'staff'); // now cached
    const patch = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${carol.user.id}`, headers: bearer(admin.token), payload });

    expect((await patch({ is_staff: false })).statusCode).toBe(200);
    for (const [name, headers] of Object.entries(all)) expect((await check(headers)).statusCode, `demoted: ${name}`).toBe(403);
    expect((await patch({ is_staff: true })).statusCode).toBe(200);
    for (const headers of Object.values(all)) expectPass(await check(headers), 'carol', 'staff');

    // Revoking the key ends the key and the JWT minted from it, not the rest.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v2/me/keys/${carol.key.id}`, headers: bearer(carol.token) })).statusCode).toBe(200);
    expect((await check(all.pkey)).statusCode).toBe(401);
    expect((await check(all.minted)).statusCode).toBe(401);
    expectPass(await check(all.jwt), 'carol', 'staff');

    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v2/admin/users/${carol.user.id}/password`,
          headers: bearer(admin.token),
          payload: { password: 'another long passphrase' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await check(all.jwt)).statusCode, 'old JWT after a password change').toBe(401);
    expect((await check(all.cookie)).statusCode, 'session after a password change').toBe(401);

    const fresh = await sessionOf('admin');
    expectPass(await check({ cookie: fresh }), 'admin', 'staff,superuser');
    const browser = formClient(t.app);
    browser.jar.set('gadm_session', fresh.split('=')[1]!);
    await browser.get('/dashboard/');
    expect((await browser.post('/accounts/logout/', {})).statusCode).toBe(303);
    expect((await check({ cookie: fresh })).statusCode, 'signed out').toBe(401);

    const dave = await adminCreateUser(t.app, admin.token, { username: 'dave', is_staff: true });
    expectPass(await check(bearer(dave.token)), 'dave', 'staff');
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${dave.user.id}`, headers: bearer(admin.token), payload: { is_active: false } }))
        .statusCode,
    ).toBe(200);
    expect((await check(bearer(dave.token))).statusCode, 'deactivated').toBe(401);
  });

  it('a change made by another process on the same database bites on the next check too', async () => {
    await start();
    const cookie = await sessionOf('carol');
    expectPass(await check({ cookie }), 'carol', 'staff');
    expectPass(await check(bearer(carol.token)), 'carol', 'staff');
    // What `graphistry-admin users set-roles carol --no-staff` does: its own connection, its own services.
    const other = await openDatabase({ dataDir: t.dataDir, databaseUrl: t.config.databaseUrl, ...(t.pgSchema ? { pgSchema: t.pgSchema, pgPoolSize: 1 } : {}) });
    try {
      const services = await createServices(t.config, { db: other, secrets: loadOrCreateSecrets(t.dataDir).secrets, hasher: createFastTestHasher() });
      await services.users.update({ userId: null, username: 'cli:test', ip: null }, carol.user.id, { is_staff: false });
    } finally {
      await other.close();
    }
    expect((await check({ cookie })).statusCode).toBe(403);
    expect((await check(bearer(carol.token))).statusCode).toBe(403);
  });

  it('a cached identity never outlives its token, its key or its session', async () => {
    await start({ jwtExpirationDelta: 600, sessionIdleTimeout: 300 });
    const key = json<{ authorization: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/me/keys', headers: bearer(carol.token), payload: { name: 'short', expires_in_days: 1 } }),
    );
    const minted = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: key.authorization } }),
    ).token;
    const jwt = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'carol', password: STRONG_PASSWORD } }),
    ).token;
    const cookie = await sessionOf('carol');
    for (const headers of [bearer(jwt), { cookie }, bearer(minted)]) expectPass(await check(headers), 'carol', 'staff');

    clock.advance(301_000); // past the session's idle end
    expect((await check({ cookie })).statusCode, 'idle session').toBe(401);
    expectPass(await check(bearer(jwt)), 'carol', 'staff');
    clock.advance(300_000); // past the JWT's expiry
    expect((await check(bearer(jwt))).statusCode, 'expired JWT').toBe(401);

    // A fresh JWT minted from a key that expires before the token does.
    clock.advance(24 * 3600_000 - 601_000 - 300_000); // the key now expires in 300 s
    const late = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: key.authorization } }),
    ).token;
    expectPass(await check(bearer(late)), 'carol', 'staff');
    clock.advance(400_000); // the key has expired; the JWT alone would still have 200 s
    expect((await check(bearer(late))).statusCode, 'JWT of an expired key').toBe(401);
  });
});
