import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { epochSeconds, manualClock } from '../../src-server/lib/clock.ts';
import { makeOrg, removeMember } from '../helpers/org-rows.ts';
import { createOrgSessionsRepo } from '../../src-server/tokens/org-sessions-repo.ts';

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
  sid?: string;
  org?: string;
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

  describe('organizations: org_name, switch and refresh', () => {
    let bob: SignedUp;
    let carol: SignedUp;
    let acme: number;

    /** alice (a superuser) is in no organization; bob is an admin of acme, carol a member; globex has only bob. */
    async function startWithOrgs(): Promise<void> {
      await start();
      bob = await adminCreateUser(t.app, alice.token, { username: 'bob' });
      carol = await adminCreateUser(t.app, alice.token, { username: 'carol' });
      acme = await makeOrg(t.db, 'acme', [
        [bob.user.id, 'admin'],
        [carol.user.id, 'member'],
      ]);
      await makeOrg(t.db, 'globex', [[bob.user.id, 'admin']]);
    }

    const signIn = async (username: string, orgName?: unknown) => {
      const res = await post('/api-token-auth/', { username, password: STRONG_PASSWORD, ...(orgName === undefined ? {} : { org_name: orgName }) });
      expect(res.statusCode, res.body).toBe(200);
      return json<{ token: string; active_organization: { slug: string; is_found: boolean; is_member: boolean } }>(res);
    };
    const switchTo = (slug: string, authorization: string, path = slug) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v2/o/${encodeURIComponent(path)}/switch/`,
        payload: new URLSearchParams({ slug }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      });
    const refresh = async (token: string, orgName?: string) => {
      const res = await post('/api/v2/auth/token/refresh', { token, ...(orgName === undefined ? {} : { org_name: orgName }) });
      expect(res.statusCode, res.body).toBe(200);
      return json<{ token: string; active_organization: { slug: string; is_found: boolean; is_member: boolean } }>(res);
    };
    const sessionRows = () => t.db.read.selectFrom('org_sessions').selectAll().execute();

    it('sign-in answers the truth about org_name, for passwords and keys (GET with a body, and POST)', async () => {
      await startWithOrgs();
      const found = { is_found: true, is_member: true };
      // [user, org_name sent, active_organization answered, org claim]
      const table: Array<[SignedUp, unknown, Record<string, unknown>, string | undefined]> = [
        [carol, undefined, { slug: 'carol', ...found }, undefined],
        [carol, null, { slug: 'carol', ...found }, undefined],
        [carol, '', { slug: 'carol', ...found }, undefined],
        [carol, 'CAROL', { slug: 'CAROL', ...found }, undefined],
        [carol, 'acme', { slug: 'acme', ...found }, 'acme'],
        [carol, 'ACME', { slug: 'ACME', ...found }, 'acme'],
        [carol, 'globex', { slug: 'globex', is_found: true, is_member: false }, undefined],
        [carol, 'nowhere', { slug: 'nowhere', is_found: false, is_member: false }, undefined],
        // Another user's username (their personal organization) reads as not found: usernames are not enumerable here.
        [carol, 'bob', { slug: 'bob', is_found: false, is_member: false }, undefined],
        [carol, 'not a slug!', { slug: 'not a slug!', is_found: false, is_member: false }, undefined],
        // Superusers manage organizations without being in them.
        [alice, 'acme', { slug: 'acme', is_found: true, is_member: false }, undefined],
        [bob, 'Globex', { slug: 'Globex', ...found }, 'globex'],
      ];
      for (const [who, sent, expected, claim] of table) {
        const what = `${who.user.username} ${JSON.stringify(sent)}`;
        const body = sent === undefined ? {} : { org_name: sent };
        const viaPassword = await post('/api/v2/auth/token/generate', { username: who.user.username, password: STRONG_PASSWORD, ...body });
        const viaGet = await t.app.inject({
          method: 'GET',
          url: '/api/v2/auth/pkey/jwt/',
          headers: { authorization: who.key.authorization, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        const viaPost = await post('/api/v2/auth/pkey/jwt/', body, { authorization: who.key.authorization });
        for (const [via, res] of Object.entries({ password: viaPassword, 'GET key': viaGet, 'POST key': viaPost })) {
          expect(res.statusCode, `${what} ${via}`).toBe(200);
          const answer = json<{ token: string; active_organization: unknown }>(res);
          expect(answer.active_organization, `${what} ${via}`).toEqual(expected);
          const claims = claimsOf(answer.token);
          expect(claims.org, `${what} ${via}`).toBe(claim);
          expect(claims.sid, `${what} ${via}`).toMatch(/^[A-Za-z0-9_-]{16}$/);
        }
      }
    });

    it('each sign-in is a session of its own, and the audit log says which organization it asked for', async () => {
      await startWithOrgs();
      const { max } = await t.db.read
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirstOrThrow();
      const first = claimsOf((await signIn('carol', 'acme')).token);
      const second = claimsOf((await signIn('carol')).token);
      expect(first.sid).not.toBe(second.sid);
      await signIn('carol', 'globex');
      await post('/api/v2/auth/pkey/jwt/', { org_name: 'ACME' }, { authorization: carol.key.authorization });
      const rows = await t.db.read
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('actor', '=', 'carol')
        .where('action', 'in', ['auth.login', 'auth.pkey'])
        .where('id', '>', Number(max))
        .orderBy('id')
        .execute();
      expect(rows.map((r) => [r.action, JSON.parse(r.detail!)])).toEqual([
        ['auth.login', { method: 'password', org: 'acme', org_member: true }],
        ['auth.login', { method: 'password' }],
        ['auth.login', { method: 'password', org: 'globex', org_member: false }],
        ['auth.pkey', { key_id: carol.key.id, org: 'ACME', org_member: true }],
      ]);
    });

    it('switch: a member gets {status: OK}; a row is written only when the switch changes the session', async () => {
      await startWithOrgs();
      // pygraphistry's common case: sign in to acme, then switch to acme. Nothing to store.
      const inAcme = await signIn('carol', 'acme');
      const res = await switchTo('acme', `Bearer ${inAcme.token}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(expectJson(res)).toEqual({ status: 'OK' });
      expect(await switchTo('ACME', `Bearer ${inAcme.token}`)).toMatchObject({ statusCode: 200 });
      expect(await sessionRows()).toEqual([]);

      // Back to the personal organization: remembered for that session, and audited.
      expect((await switchTo('Carol', `Bearer ${inAcme.token}`)).statusCode).toBe(200);
      const sid = claimsOf(inAcme.token).sid;
      expect(await sessionRows()).toEqual([expect.objectContaining({ sid, user_id: carol.user.id, organization_id: null })]);
      // Again: nothing changes, nothing written.
      const before = await sessionRows();
      clock.advance(1000);
      expect((await switchTo('carol', `Bearer ${inAcme.token}`)).statusCode).toBe(200);
      expect(await sessionRows()).toEqual(before);
      // And to acme again: the row now says acme.
      expect((await switchTo('acme', `Bearer ${inAcme.token}`)).statusCode).toBe(200);
      expect(await sessionRows()).toEqual([expect.objectContaining({ sid, organization_id: acme })]);
      const audited = await t.db.read
        .selectFrom('audit_log')
        .select(['actor', 'target_type', 'target', 'detail'])
        .where('action', '=', 'org.switch')
        .orderBy('id')
        .execute();
      expect(audited.map((r) => [r.actor, r.target_type, r.target, JSON.parse(r.detail!)])).toEqual([
        ['carol', 'organization', 'carol', { org: null, personal: true }],
        ['carol', 'organization', 'acme', { org: 'acme', personal: false }],
      ]);
      // Another session of the same user is not moved by it.
      const other = await signIn('carol');
      expect(claimsOf((await refresh(other.token)).token)).not.toHaveProperty('org');
    });

    it('switch: not a member is 403 ORG_NOT_MEMBER with a sentence; unknown (or another user) is 404; superusers are not members', async () => {
      await startWithOrgs();
      const carolToken = `Bearer ${(await signIn('carol')).token}`;
      const refused = await switchTo('globex', carolToken);
      expect(refused.statusCode).toBe(403);
      expect(expectJson(refused)).toMatchObject({
        error: 'ORG_NOT_MEMBER',
        message: 'You are not a member of “globex”: ask one of its admins for an invitation.',
      });
      for (const slug of ['nowhere', 'bob', 'BOB', 'not a slug']) {
        const unknown = await switchTo(slug, carolToken);
        expect(unknown.statusCode, slug).toBe(404);
        expect(expectJson(unknown), slug).toMatchObject({ error: 'ORG_NOT_FOUND', message: `No organization “${slug}”.` });
      }
      const superuser = await switchTo('acme', `Bearer ${alice.token}`);
      expect(superuser.statusCode).toBe(403);
      expect(json(superuser).error).toBe('ORG_NOT_MEMBER');
      // With a personal key: membership checked the same way, nothing stored (a key has no session).
      expect((await switchTo('acme', carol.key.authorization)).statusCode).toBe(200);
      expect((await switchTo('globex', carol.key.authorization)).statusCode).toBe(403);
      expect((await switchTo('nowhere', carol.key.authorization)).statusCode).toBe(404);
      expect(await sessionRows()).toEqual([]);
    });

    it('refresh keeps the session and its switched organization, and drops it once the membership is gone', async () => {
      await startWithOrgs();
      const signedIn = await signIn('carol');
      const sid = claimsOf(signedIn.token).sid;
      expect((await switchTo('acme', `Bearer ${signedIn.token}`)).statusCode).toBe(200);
      // pygraphistry refreshes with nothing but {token}: the new token is for acme.
      clock.advance(60_000);
      const renewed = await refresh(signedIn.token);
      expect(claimsOf(renewed.token)).toMatchObject({ sid, org: 'acme', orig_iat: claimsOf(signedIn.token).orig_iat });
      expect(renewed.active_organization).toEqual({ slug: 'acme', is_found: true, is_member: true });
      // The older token of the same session refreshes to acme too: the switch wins over its claim.
      expect(claimsOf((await refresh(signedIn.token)).token)).toMatchObject({ org: 'acme' });

      await removeMember(t.db, acme, carol.user.id);
      const dropped = await refresh(renewed.token);
      expect(claimsOf(dropped.token)).not.toHaveProperty('org');
      expect(claimsOf(dropped.token)).toMatchObject({ sid });
      expect(dropped.active_organization).toEqual({ slug: 'carol', is_found: true, is_member: true });
    });

    it('refresh with org_name: a member switches to it, anyone else keeps the current organization and reads is_member false', async () => {
      await startWithOrgs();
      const start = await signIn('bob', 'acme');
      const toGlobex = await refresh(start.token, 'GLOBEX');
      expect(toGlobex.active_organization).toEqual({ slug: 'GLOBEX', is_found: true, is_member: true });
      expect(claimsOf(toGlobex.token)).toMatchObject({ org: 'globex' });
      // Remembered: the first token of the session refreshes to globex now.
      expect(claimsOf((await refresh(start.token)).token)).toMatchObject({ org: 'globex' });

      const carolIn = await signIn('carol', 'acme');
      const notHers = await refresh(carolIn.token, 'globex');
      expect(notHers.active_organization).toEqual({ slug: 'globex', is_found: true, is_member: false });
      expect(claimsOf(notHers.token)).toMatchObject({ org: 'acme' });
      const unknown = await refresh(carolIn.token, 'nowhere');
      expect(unknown.active_organization).toEqual({ slug: 'nowhere', is_found: false, is_member: false });
      expect(claimsOf(unknown.token)).toMatchObject({ org: 'acme' });
      const personal = await refresh(carolIn.token, 'carol');
      expect(personal.active_organization).toEqual({ slug: 'carol', is_found: true, is_member: true });
      expect(claimsOf(personal.token)).not.toHaveProperty('org');
    });

    it('tokens minted before sessions existed (no sid) still switch, and their refreshes keep the switch', async () => {
      await startWithOrgs();
      const { auth_epoch } = await t.db.read.selectFrom('users').select('auth_epoch').where('id', '=', carol.user.id).executeTakeFirstOrThrow();
      const { token } = await t.services.jwt.sign({ userId: carol.user.id, username: 'carol', email: null, ver: auth_epoch });
      expect(claimsOf(token)).not.toHaveProperty('sid');
      expect((await switchTo('acme', `Bearer ${token}`)).statusCode).toBe(200);
      const [row] = await sessionRows();
      expect(row).toMatchObject({ sid: `legacy:${carol.user.id}:${claimsOf(token).orig_iat}:-`, organization_id: acme });
      clock.advance(1000);
      const renewed = await refresh(token);
      expect(claimsOf(renewed.token)).not.toHaveProperty('sid');
      expect(claimsOf(renewed.token)).toMatchObject({ org: 'acme' });
    });

    it('a switch lives as long as its session can be refreshed; expired rows are swept by the next switch', async () => {
      await startWithOrgs();
      const first = await signIn('carol');
      expect((await switchTo('acme', `Bearer ${first.token}`)).statusCode).toBe(200);
      const [row] = await sessionRows();
      expect(Date.parse(row!.expires_at) / 1000).toBe(claimsOf(first.token).orig_iat + 86400);
      clock.advance(86_401_000);
      const second = await signIn('carol');
      expect((await switchTo('acme', `Bearer ${second.token}`)).statusCode).toBe(200);
      const rows = await sessionRows();
      expect(rows.map((r) => r.sid)).toEqual([claimsOf(second.token).sid]);
    });

    it('a deleted organization is not found, nothing is stored, and tokens issued for it refresh to the personal one', async () => {
      await startWithOrgs();
      const signedIn = await signIn('carol');
      // Deleted between the membership check and the write: the write stores nothing and says so.
      const repo = createOrgSessionsRepo(t.db);
      const switchRow = {
        sid: 'x'.repeat(16),
        userId: carol.user.id,
        organizationId: acme,
        at: clock.now().toISOString(),
        expiresAt: '2999-01-01T00:00:00.000Z',
      };
      await t.db.write.deleteFrom('organizations').where('id', '=', acme).execute();
      expect(await repo.store(t.db.write, switchRow)).toBe(false);
      const gone = await switchTo('acme', `Bearer ${signedIn.token}`);
      expect(gone.statusCode).toBe(404);
      expect(await sessionRows()).toEqual([]);
      // A token whose claim names a deleted organization refreshes to the personal one.
      const inGlobex = await signIn('bob', 'globex');
      await t.db.write.deleteFrom('organizations').where('slug', '=', 'globex').execute();
      expect(claimsOf((await refresh(inGlobex.token)).token)).not.toHaveProperty('org');
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
