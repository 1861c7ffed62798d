import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { epochSeconds, manualClock } from '../../src-server/lib/clock.ts';

/**
 * Graphistry's official clients against the embedded server, one block per
 * row of product.md's compatibility table. Paths are exact: where the table
 * fixes one form, the other slash variant must be a JSON 404.
 */

const BAD_CREDENTIALS = { non_field_errors: ['Unable to log in with provided credentials.'] };
const EXPIRED = { non_field_errors: ['Token has expired.'] };

type Clock = ReturnType<typeof manualClock>;

interface Claims {
  username: string;
  user_id: number;
  iat: number;
  exp: number;
  orig_iat: number;
  pk?: string;
}

function claimsOf(token: string): Claims {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Claims;
}

function expectJson(res: LightMyRequestResponse): Record<string, unknown> {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return json(res);
}

function expectNotFound(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(404);
  expect(expectJson(res)).toMatchObject({ error: 'NOT_FOUND' });
}

/** A real HTTP request, so a GET can carry a body the way Graphistry's JS client sends it (fetch cannot). */
function rawRequest(
  port: number,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe.each(dialects())('Graphistry token API (%s)', (dialect) => {
  let t: TestApp;
  let clock: Clock;
  let alice: SignedUp;

  afterEach(async () => t?.close());

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    clock = manualClock();
    t = await makeTestApp(dialect, { clock, config });
    alice = await signup(t.app, 'alice');
  }

  const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  const login = async (username = 'alice', password = STRONG_PASSWORD) => {
    const res = await post('/api-token-auth/', { username, password });
    expect(res.statusCode).toBe(200);
    return json<{ token: string }>(res).token;
  };

  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v2/me', headers });

  describe('POST /api-token-auth/ (password -> JWT)', () => {
    it('answers {token, active_organization} for a JSON body, and the token authenticates', async () => {
      await start();
      const res = await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD });
      expect(res.statusCode).toBe(200);
      const body = expectJson(res) as { token: string; active_organization: unknown };
      expect(typeof body.token).toBe('string');
      expect(body.active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });
      const who = await me(bearer(body.token));
      expect(who.statusCode).toBe(200);
      expect(json(who)).toMatchObject({ username: 'alice', auth: { via: 'jwt' } });
    });

    it('accepts a form-urlencoded body', async () => {
      await start();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api-token-auth/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username: 'alice', password: STRONG_PASSWORD, org_name: 'alice' }).toString(),
      });
      expect(res.statusCode).toBe(200);
      const body = json<{ token: string; active_organization: unknown }>(res);
      expect(claimsOf(body.token).username).toBe('alice');
      expect(body.active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });
    });

    it('org_name equal to the username is found and a member; any other org_name is not found', async () => {
      await start();
      const mine = await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD, org_name: 'alice' });
      expect(mine.statusCode).toBe(200);
      expect(json(mine).active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });

      const other = await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD, org_name: 'someone-else' });
      expect(other.statusCode).toBe(200);
      expect(json(other).active_organization).toMatchObject({ is_found: false, is_member: false });
    });

    it('regression: org_name "ALICE" for user alice answered slug "alice", which pygraphistry refuses as a different organization', async () => {
      await start();
      // pygraphistry's _handle_login_response: the slug must equal the org_name sent, then is_found and is_member must hold.
      const pygraphistryAccepts = (sent: string, org: { slug?: string; is_found?: boolean; is_member?: boolean }) =>
        org.slug === sent && org.is_found === true && org.is_member === true;
      for (const sent of ['ALICE', 'Alice', 'alice']) {
        const viaPassword = json<{ active_organization: { slug: string } }>(
          await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD, org_name: sent }),
        ).active_organization;
        expect(pygraphistryAccepts(sent, viaPassword), `password, ${sent}`).toBe(true);
        const viaKey = await t.app.inject({
          method: 'GET',
          url: '/api/v2/auth/pkey/jwt/',
          headers: { authorization: alice.key.authorization, 'content-type': 'application/json' },
          payload: JSON.stringify({ org_name: sent }),
        });
        expect(pygraphistryAccepts(sent, json<{ active_organization: { slug: string } }>(viaKey).active_organization), `key, ${sent}`).toBe(true);
        // And the spelling the sign-in answered is one the switch route accepts.
        const token = json<{ token: string }>(viaKey).token;
        const sw = await t.app.inject({
          method: 'POST',
          url: `/api/v2/o/${sent}/switch/`,
          headers: { authorization: `Bearer ${token}` },
          payload: { slug: sent },
        });
        expect(sw.statusCode, `switch ${sent}`).toBe(200);
      }
      const other = json<{ active_organization: { slug: string; is_found: boolean } }>(
        await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD, org_name: 'BOB' }),
      ).active_organization;
      expect(other).toEqual({ slug: 'BOB', is_found: false, is_member: false });
    });

    it('has no slash-less twin', async () => {
      await start();
      expectNotFound(await post('/api-token-auth', { username: 'alice', password: STRONG_PASSWORD }));
    });
  });

  describe('POST /api/v2/auth/token/generate (password -> JWT)', () => {
    it('answers {token} and the token authenticates', async () => {
      await start();
      const res = await post('/api/v2/auth/token/generate', { username: 'alice', password: STRONG_PASSWORD });
      expect(res.statusCode).toBe(200);
      const { token } = expectJson(res) as { token: string };
      expect(claimsOf(token)).toMatchObject({ username: 'alice', user_id: alice.user.id });
      expect((await me(bearer(token))).statusCode).toBe(200);
    });

    it('answers JSON on every kind of failure (the JS client reads the body regardless)', async () => {
      await start();
      const wrong = await post('/api/v2/auth/token/generate', { username: 'alice', password: 'not the password' });
      expect(wrong.statusCode).toBe(400);
      expect(expectJson(wrong)).toMatchObject(BAD_CREDENTIALS);

      const missing = await post('/api/v2/auth/token/generate', { username: 'alice' });
      expect(missing.statusCode).toBe(400);
      expect(expectJson(missing)).toMatchObject({ error: 'VALIDATION', password: ['This field is required.'] });

      const broken = await post('/api/v2/auth/token/generate', '{"username": "alice", ', { 'content-type': 'application/json' });
      expect(broken.statusCode).toBe(400);
      expect(expectJson(broken)).toMatchObject({ error: 'INVALID_JSON' });

      const empty = await post('/api/v2/auth/token/generate');
      expect(empty.statusCode).toBeGreaterThanOrEqual(400);
      expect(empty.statusCode).toBeLessThan(500);
      expect(typeof expectJson(empty).error).toBe('string');
    });

    it('has no trailing-slash twin', async () => {
      await start();
      expectNotFound(await post('/api/v2/auth/token/generate/', { username: 'alice', password: STRONG_PASSWORD }));
    });
  });

  describe('POST and GET /api/v2/auth/pkey/jwt/ (personal key -> JWT)', () => {
    const pkey = (id: string, secret: string) => ({ authorization: `PersonalKey ${id}:${secret}` });

    it('POST exchanges a key for a JWT that names the user and the key', async () => {
      await start();
      const res = await post('/api/v2/auth/pkey/jwt/', undefined, pkey(alice.key.id, alice.key.secret));
      expect(res.statusCode).toBe(200);
      const body = expectJson(res) as { token: string; active_organization: unknown };
      expect(body.active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });
      expect(claimsOf(body.token)).toMatchObject({ username: 'alice', user_id: alice.user.id, pk: alice.key.id });
      const who = await me(bearer(body.token));
      expect(who.statusCode).toBe(200);
      expect(json(who)).toMatchObject({ username: 'alice', auth: { via: 'jwt', key_id: alice.key.id } });
    });

    it('POST honours an optional JSON body {org_name}', async () => {
      await start();
      const mine = await post('/api/v2/auth/pkey/jwt/', { org_name: 'alice' }, pkey(alice.key.id, alice.key.secret));
      expect(mine.statusCode).toBe(200);
      expect(json(mine).active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });
      const other = await post('/api/v2/auth/pkey/jwt/', { org_name: 'acme' }, pkey(alice.key.id, alice.key.secret));
      expect(other.statusCode).toBe(200);
      expect(json(other).active_organization).toMatchObject({ is_found: false, is_member: false });
    });

    it('GET works over real HTTP, with and without a JSON body (sent even with GET)', async () => {
      await start();
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const auth = pkey(alice.key.id, alice.key.secret);

      const bare = await rawRequest(port, { method: 'GET', path: '/api/v2/auth/pkey/jwt/', headers: auth });
      expect(bare.status).toBe(200);
      const bareBody = JSON.parse(bare.body) as { token: string; active_organization: unknown };
      expect(claimsOf(bareBody.token).username).toBe('alice');
      expect(bareBody.active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });

      const other = await rawRequest(port, {
        method: 'GET',
        path: '/api/v2/auth/pkey/jwt/',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ org_name: 'acme' }),
      });
      expect(other.status).toBe(200);
      expect(JSON.parse(other.body).active_organization).toMatchObject({ is_found: false, is_member: false });

      const mine = await rawRequest(port, {
        method: 'GET',
        path: '/api/v2/auth/pkey/jwt/',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ org_name: 'alice' }),
      });
      expect(mine.status).toBe(200);
      expect(JSON.parse(mine.body).active_organization).toEqual({ slug: 'alice', is_found: true, is_member: true });

      const wrong = await rawRequest(port, { method: 'GET', path: '/api/v2/auth/pkey/jwt/', headers: pkey(alice.key.id, 'x'.repeat(40)) });
      expect(wrong.status).toBe(401);
      expect(String(wrong.headers['content-type'])).toMatch(/^application\/json/);
    });

    it('wrong secret and unknown id are one identical 401; malformed headers are 401 JSON too', async () => {
      await start();
      const wrongSecret = await post('/api/v2/auth/pkey/jwt/', undefined, pkey(alice.key.id, `${alice.key.secret}x`));
      const unknownId = await post('/api/v2/auth/pkey/jwt/', undefined, pkey('doesnotexist0000', alice.key.secret));
      expect(wrongSecret.statusCode).toBe(401);
      expect(unknownId.statusCode).toBe(401);
      expect(expectJson(wrongSecret)).toEqual(expectJson(unknownId));
      expect(json(wrongSecret).token).toBeUndefined();

      for (const authorization of [
        `PersonalKey ${alice.key.id}`,
        `PersonalKey :${alice.key.secret}`,
        'PersonalKey',
        `Basic ${Buffer.from('alice:x').toString('base64')}`,
      ]) {
        const res = await post('/api/v2/auth/pkey/jwt/', undefined, { authorization });
        expect(res.statusCode, authorization).toBe(401);
        expect(expectJson(res).token).toBeUndefined();
      }
      const none = await post('/api/v2/auth/pkey/jwt/');
      expect(none.statusCode).toBe(401);
      expect(expectJson(none).error).toBe('UNAUTHENTICATED');
    });

    it('has no slash-less twin', async () => {
      await start();
      expectNotFound(await post('/api/v2/auth/pkey/jwt', undefined, pkey(alice.key.id, alice.key.secret)));
      expectNotFound(await t.app.inject({ method: 'GET', url: '/api/v2/auth/pkey/jwt', headers: pkey(alice.key.id, alice.key.secret) }));
    });
  });

  describe.each(['/api/v2/auth/token/refresh', '/api-token-refresh/'])('POST %s (refresh)', (path) => {
    it('answers a new {token} that keeps orig_iat and moves iat/exp on', async () => {
      await start();
      const first = await login();
      const original = claimsOf(first);
      clock.advance(600_000);
      const res = await post(path, { token: first });
      expect(res.statusCode).toBe(200);
      const { token } = expectJson(res) as { token: string };
      const renewed = claimsOf(token);
      expect(renewed.orig_iat).toBe(original.orig_iat);
      expect(renewed.iat).toBe(original.iat + 600);
      expect(renewed.exp).toBe(renewed.iat + 3600);
      expect(renewed).toMatchObject({ username: 'alice', user_id: alice.user.id });
      expect((await me(bearer(token))).statusCode).toBe(200);
    });

    it('an expired token answers {"non_field_errors": ["Token has expired."]}', async () => {
      await start();
      const token = await login();
      clock.advance(3601_000);
      const res = await post(path, { token });
      expect(res.statusCode).toBe(400);
      expect(expectJson(res)).toEqual({ ...EXPIRED, error: 'TOKEN_EXPIRED', message: 'Token has expired.' });
    });

    it('fails once the refresh window from the original login has passed (default 24 h)', async () => {
      await start();
      let token = await login();
      const origIat = claimsOf(token).orig_iat;
      // 28 refreshes, 50 minutes apart, stay within 86400 s of the login...
      for (let i = 0; i < 28; i++) {
        clock.advance(3000_000);
        const res = await post(path, { token });
        expect(res.statusCode, `refresh ${i}`).toBe(200);
        token = json<{ token: string }>(res).token;
        expect(claimsOf(token).orig_iat).toBe(origIat);
      }
      // ...the next one lands at 87000 s, past the window, though the token itself is still fresh.
      clock.advance(3000_000);
      expect((await me(bearer(token))).statusCode).toBe(200);
      const late = await post(path, { token });
      expect(late.statusCode).toBe(400);
      expect(expectJson(late)).toMatchObject({ non_field_errors: ['Refresh has expired.'] });
    });

    it('honours a configured jwtRefreshExpirationDelta', async () => {
      await start({ jwtRefreshExpirationDelta: 600 });
      const token = await login();
      clock.advance(599_000);
      expect((await post(path, { token })).statusCode).toBe(200);
      clock.advance(2_000);
      const late = await post(path, { token });
      expect(late.statusCode).toBe(400);
      expect(expectJson(late).non_field_errors).toEqual(['Refresh has expired.']);
    });

    it('rejects garbage and a missing token with a JSON 4xx', async () => {
      await start();
      const garbage = await post(path, { token: 'not-a-jwt' });
      expect(garbage.statusCode).toBe(400);
      expect(expectJson(garbage).token).toBeUndefined();
      const missing = await post(path, {});
      expect(missing.statusCode).toBe(400);
      expect(expectJson(missing)).toMatchObject({ token: ['This field is required.'] });
    });
  });

  it('refresh paths have no wrong-slash twins', async () => {
    await start();
    const token = await login();
    expectNotFound(await post('/api/v2/auth/token/refresh/', { token }));
    expectNotFound(await post('/api-token-refresh', { token }));
  });

  describe.each(['/api-token-verify/', '/api/v2/auth/token/verify', '/api/v2/auth/token/verify/'])('POST %s (verify)', (path) => {
    it('2xx for a valid token', async () => {
      await start();
      const token = await login();
      const res = await post(path, { token });
      expect(res.statusCode).toBeGreaterThanOrEqual(200);
      expect(res.statusCode).toBeLessThan(300);
    });

    it('4xx for garbage, tampered, unsigned and expired tokens', async () => {
      await start();
      const bob = await adminCreateUser(t.app, alice.token, { username: 'bob' });
      const token = await login();
      const [header, payload, signature] = token.split('.') as [string, string, string];

      // Same signature, payload now claiming to be bob.
      const forged = { ...claimsOf(token), username: 'bob', user_id: bob.user.id };
      const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
      // One flipped character in the signature.
      const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      // alg "none", no signature.
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;

      for (const [what, candidate] of Object.entries({ garbage: 'garbage', dots: 'a.b.c', tampered, flipped, unsigned })) {
        const res = await post(path, { token: candidate });
        expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, what).toBeLessThan(500);
        expect(expectJson(res).non_field_errors, what).toBeDefined();
      }

      clock.advance(3600_000);
      const expired = await post(path, { token });
      expect(expired.statusCode).toBeGreaterThanOrEqual(400);
      expect(expired.statusCode).toBeLessThan(500);
      expect(expectJson(expired).non_field_errors).toEqual(['Token has expired.']);
    });
  });

  it('verify: /api-token-verify (no slash) is a 404', async () => {
    await start();
    expectNotFound(await post('/api-token-verify', { token: await login() }));
  });

  describe('POST /api/v2/o/<slug>/switch/ (switch org)', () => {
    const form = (slug: string) => ({
      payload: new URLSearchParams({ slug }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    it("answers {status: 'OK'} for the user's personal org", async () => {
      await start();
      const token = await login();
      const f = form('alice');
      const res = await t.app.inject({ method: 'POST', url: '/api/v2/o/alice/switch/', payload: f.payload, headers: { ...f.headers, ...bearer(token) } });
      expect(res.statusCode).toBe(200);
      expect(expectJson(res)).toEqual({ status: 'OK' });
    });

    it('another slug, or a form slug that differs from the path, is a JSON 4xx', async () => {
      await start();
      const bob = await adminCreateUser(t.app, alice.token, { username: 'bob' });
      const f = form('alice');
      const foreign = await t.app.inject({
        method: 'POST',
        url: '/api/v2/o/alice/switch/',
        payload: f.payload,
        headers: { ...f.headers, ...bearer(bob.token) },
      });
      expect(foreign.statusCode).toBeGreaterThanOrEqual(400);
      expect(foreign.statusCode).toBeLessThan(500);
      expect(expectJson(foreign).status).toBeUndefined();

      const token = await login();
      const g = form('nowhere');
      const unknown = await t.app.inject({ method: 'POST', url: '/api/v2/o/nowhere/switch/', payload: g.payload, headers: { ...g.headers, ...bearer(token) } });
      expect(unknown.statusCode).toBeGreaterThanOrEqual(400);
      expect(unknown.statusCode).toBeLessThan(500);
      expect(expectJson(unknown).status).toBeUndefined();

      const mismatch = await t.app.inject({ method: 'POST', url: '/api/v2/o/alice/switch/', payload: g.payload, headers: { ...g.headers, ...bearer(token) } });
      expect(mismatch.statusCode).toBe(400);
      expect(expectJson(mismatch).status).toBeUndefined();
    });

    it('without credentials, or with a bad token, is a JSON 401', async () => {
      await start();
      const f = form('alice');
      const anonymous = await t.app.inject({ method: 'POST', url: '/api/v2/o/alice/switch/', payload: f.payload, headers: f.headers });
      expect(anonymous.statusCode).toBe(401);
      expect(expectJson(anonymous).error).toBe('UNAUTHENTICATED');
      const bad = await t.app.inject({ method: 'POST', url: '/api/v2/o/alice/switch/', payload: f.payload, headers: { ...f.headers, ...bearer('nope') } });
      expect(bad.statusCode).toBe(401);
    });

    it('has no slash-less twin', async () => {
      await start();
      const f = form('alice');
      expectNotFound(
        await t.app.inject({ method: 'POST', url: '/api/v2/o/alice/switch', payload: f.payload, headers: { ...f.headers, ...bearer(alice.token) } }),
      );
    });
  });

  describe('GET /ht/ (health)', () => {
    it('answers 200 without credentials; /ht is a 404', async () => {
      await start();
      const res = await t.app.inject({ method: 'GET', url: '/ht/' });
      expect(res.statusCode).toBe(200);
      expectNotFound(await t.app.inject({ method: 'GET', url: '/ht' }));
    });
  });

  describe('JWT claims', () => {
    it('carry username, user_id, iat, exp, orig_iat; exp - iat is 3600 by default', async () => {
      await start();
      const claims = claimsOf(await login());
      const now = epochSeconds(clock.now());
      expect(claims).toMatchObject({ username: 'alice', user_id: alice.user.id, iat: now, orig_iat: now, exp: now + 3600 });
      // The key-minted token carries the same claims.
      const res = await post('/api/v2/auth/pkey/jwt/', undefined, { authorization: alice.key.authorization });
      expect(claimsOf(json<{ token: string }>(res).token)).toMatchObject({ username: 'alice', user_id: alice.user.id, iat: now, exp: now + 3600 });
    });

    it('exp - iat honours a configured jwtExpirationDelta, and the token expires then', async () => {
      await start({ jwtExpirationDelta: 120 });
      const token = await login();
      const claims = claimsOf(token);
      expect(claims.exp - claims.iat).toBe(120);
      clock.advance(119_000);
      expect((await me(bearer(token))).statusCode).toBe(200);
      clock.advance(1_000);
      const late = await me(bearer(token));
      expect(late.statusCode).toBe(401);
      expect(json(late).message).toBe('Token has expired.');
    });

    it('verify against /.well-known/jwks.json; a token from another installation does not', async () => {
      await start();
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(res.statusCode).toBe(200);
      const jwks = createLocalJWKSet(json(res) as Parameters<typeof createLocalJWKSet>[0]);
      const token = await login();
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { currentDate: clock.now() });
      expect(payload).toMatchObject({ username: 'alice', user_id: alice.user.id });
      expect(protectedHeader.kid).toBeTruthy();

      // The other installation is a SQLite one even in the PostgreSQL run: a second live
      // PostgreSQL schema trips Kysely's migrator (see the report); what matters here is
      // that its .env secrets differ.
      const other = await makeTestApp('sqlite', { clock });
      try {
        const stranger = await signup(other.app, 'alice');
        await expect(jwtVerify(stranger.token, jwks, { currentDate: clock.now() })).rejects.toThrow();
        // ...and this server refuses it too.
        expect((await post('/api/v2/auth/token/verify', { token: stranger.token })).statusCode).toBe(400);
      } finally {
        await other.close();
      }
    });
  });

  describe('bad credentials', () => {
    it('unknown user, wrong password and inactive user get one identical 400 body', async () => {
      await start();
      const carol = await adminCreateUser(t.app, alice.token, { username: 'carol' });
      const off = await t.app.inject({
        method: 'PATCH',
        url: `/api/v2/admin/users/${carol.user.id}`,
        headers: bearer(alice.token),
        payload: { is_active: false },
      });
      expect(off.statusCode).toBe(200);

      for (const path of ['/api-token-auth/', '/api/v2/auth/token/generate']) {
        const unknown = await post(path, { username: 'nobody', password: STRONG_PASSWORD });
        const wrong = await post(path, { username: 'alice', password: 'wrong password here' });
        const inactive = await post(path, { username: 'carol', password: STRONG_PASSWORD });
        for (const res of [unknown, wrong, inactive]) {
          expect(res.statusCode, path).toBe(400);
          expect(expectJson(res)).toEqual({ ...BAD_CREDENTIALS, error: 'INVALID_CREDENTIALS', message: BAD_CREDENTIALS.non_field_errors[0] });
        }
        expect(unknown.body).toBe(wrong.body);
        expect(wrong.body).toBe(inactive.body);
      }
    });
  });

  describe('throttling', () => {
    it('after throttleAccountFailures failures even the right password gets 429 + Retry-After, until the window passes', async () => {
      await start({ throttleAccountFailures: 3, throttleAddressFailures: 1000, throttleWindowSeconds: 900 });
      // Failures from different addresses still count against the account (case-insensitively).
      for (const [i, username] of ['alice', 'ALICE', 'Alice'].entries()) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api-token-auth/',
          remoteAddress: `10.0.0.${i + 1}`,
          payload: { username, password: 'wrong password here' },
        });
        expect(res.statusCode).toBe(400);
      }
      const blocked = await t.app.inject({
        method: 'POST',
        url: '/api-token-auth/',
        remoteAddress: '10.0.0.99',
        payload: { username: 'alice', password: STRONG_PASSWORD },
      });
      expect(blocked.statusCode).toBe(429);
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expect(expectJson(blocked)).toMatchObject(BAD_CREDENTIALS);
      expect(json(blocked).token).toBeUndefined();

      // The other path shares the counter.
      expect((await post('/api/v2/auth/token/generate', { username: 'alice', password: STRONG_PASSWORD })).statusCode).toBe(429);
      // Another account is not affected.
      await adminCreateUser(t.app, alice.token, { username: 'bob' });
      const bob = await post('/api-token-auth/', { username: 'bob', password: STRONG_PASSWORD });
      expect(bob.statusCode).toBe(200);

      clock.advance(900_000);
      const after = await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD });
      expect(after.statusCode).toBe(200);
    });

    it('username and email share one counter (guards: naming the account by email doubled the attempts)', async () => {
      await start({ throttleAccountFailures: 2, throttleAddressFailures: 1000 });
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v2/admin/users/${alice.user.id}`,
        headers: { authorization: `Bearer ${alice.token}` },
        payload: { email: 'alice@example.com' },
      });
      expect((await post('/api-token-auth/', { username: 'alice', password: 'wrong password here' })).statusCode).toBe(400);
      expect((await post('/api-token-auth/', { username: 'Alice@Example.com', password: 'wrong password here' })).statusCode).toBe(400);
      expect((await post('/api-token-auth/', { username: 'alice@example.com', password: STRONG_PASSWORD })).statusCode).toBe(429);
      expect((await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD })).statusCode).toBe(429);
    });

    it('regression: an address past its limit refused everyone there, right password and personal key included; now its failures answer 429 and correct credentials get in', async () => {
      await start({ throttleAccountFailures: 1000, throttleAddressFailures: 4 });
      const from = (remoteAddress: string, username: string, password: string) =>
        t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', remoteAddress, payload: { username, password } });
      for (const username of ['u1', 'u2', 'u3', 'alice']) {
        expect((await from('10.1.1.1', username, 'wrong password here')).statusCode).toBe(400);
      }
      // Past the limit, a failure says when to retry, the same for an unknown name and a wrong password.
      for (const username of ['u4', 'alice']) {
        const blocked = await from('10.1.1.1', username, 'wrong password here');
        expect(blocked.statusCode).toBe(429);
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        expect(expectJson(blocked)).toMatchObject(BAD_CREDENTIALS);
      }
      // The right password for an account that is not itself locked still gets in, and so does a personal key.
      expect((await from('10.1.1.1', 'alice', STRONG_PASSWORD)).statusCode).toBe(200);
      const pk = await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/pkey/jwt/',
        remoteAddress: '10.1.1.1',
        headers: { authorization: alice.key.authorization },
      });
      expect(pk.statusCode).toBe(200);
      // Another address never saw any of it.
      expect((await from('10.1.1.2', 'u5', 'wrong password here')).statusCode).toBe(400);
    });

    it('regression: signing in as "#1" counted against user 1 and locked them out', async () => {
      await start({ throttleAccountFailures: 2, throttleAddressFailures: 1000 });
      for (let i = 0; i < 5; i++) await post('/api-token-auth/', { username: `#${alice.user.id}`, password: 'wrong password here' });
      expect((await post('/api-token-auth/', { username: 'alice', password: STRONG_PASSWORD })).statusCode).toBe(200);
    });

    it('regression: personal-key failures on API routes were neither throttled nor audited, and password failures held back key exchanges', async () => {
      await start({ throttleAccountFailures: 1000, throttleAddressFailures: 3 });
      const bad = `PersonalKey ${alice.key.id}:${'x'.repeat(43)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await t.app.inject({ method: 'GET', url: '/api/v2/me', remoteAddress: '10.3.0.1', headers: { authorization: bad } })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const audited = await t.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'auth.pkey').where('outcome', '=', 'failure').execute();
      expect(audited).toHaveLength(5);
      expect(audited.map((r) => r.client_ip)).toEqual(Array(5).fill('10.3.0.1'));
      expect(JSON.parse(audited[0]!.detail!)).toMatchObject({ key_id: alice.key.id, via: 'api' });
      // The right key from that address still works, on API routes and at the exchange.
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v2/me', remoteAddress: '10.3.0.1', headers: { authorization: alice.key.authorization } })).statusCode,
      ).toBe(200);
      // Password failures from an address never hold back a key exchange from it.
      for (let i = 0; i < 6; i++)
        await t.app.inject({
          method: 'POST',
          url: '/api-token-auth/',
          remoteAddress: '10.3.0.2',
          payload: { username: `nobody${i}`, password: 'wrong password here' },
        });
      const pk = await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/pkey/jwt/',
        remoteAddress: '10.3.0.2',
        headers: { authorization: alice.key.authorization },
      });
      expect(pk.statusCode).toBe(200);
    });

    it('concurrent guesses cannot slip past the limit while their passwords are being hashed (real argon2id)', async () => {
      clock = manualClock();
      t = await makeTestApp(dialect, { clock, argon2: true, config: { throttleAccountFailures: 3, throttleAddressFailures: 1000 } });
      await signup(t.app, 'alice');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.app.inject({
            method: 'POST',
            url: '/api-token-auth/',
            remoteAddress: `10.2.0.${i + 1}`,
            payload: { username: 'alice', password: `wrong guess ${i}` },
          }),
        ),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses.filter((s) => s === 400)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(17);
      for (const r of results) expect(json(r)).toMatchObject(BAD_CREDENTIALS);
    });
  });
});
