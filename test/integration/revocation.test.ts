import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { manualClock } from '../../src-server/lib/clock.ts';
import type { PersonalKey } from '../../src-shared/domain.ts';

/**
 * Revocation takes effect on the very next request: deactivation, key
 * revocation and expiry, password changes. Plus the admin guard rails: the
 * last active superuser stays, and staff alone is not an administrator.
 */

const NEW_PASSWORD = 'a different long passphrase';

type Clock = ReturnType<typeof manualClock>;
type CreatedKey = PersonalKey & { secret: string; authorization: string };

function expectStatus(res: LightMyRequestResponse, status: number, error?: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = json(res);
  if (error) expect(body.error).toBe(error);
  return body;
}

describe.each(dialects())('revocation (%s)', (dialect) => {
  let t: TestApp;
  let clock: Clock;
  let admin: SignedUp;
  let bob: SignedUp;

  afterEach(async () => t?.close());

  async function start(): Promise<void> {
    clock = manualClock();
    t = await makeTestApp(dialect, { clock });
    admin = await signup(t.app, 'admin');
    bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    expect(bob.token).toEqual(expect.any(String));
  }

  const me = (authorization: string) => t.app.inject({ method: 'GET', url: '/api/v2/me', headers: { authorization } });
  const exchange = (authorization: string) => t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization } });
  const verify = (token: string) => t.app.inject({ method: 'POST', url: '/api/v2/auth/token/verify', payload: { token } });
  const refresh = (token: string) => t.app.inject({ method: 'POST', url: '/api/v2/auth/token/refresh', payload: { token } });
  const login = (username: string, password = STRONG_PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username, password } });
  const patchUser = (token: string, id: number, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${id}`, headers: bearer(token), payload });
  const deleteUser = (token: string, id: number) => t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${id}`, headers: bearer(token) });

  async function keyJwt(authorization: string): Promise<string> {
    const res = await exchange(authorization);
    expect(res.statusCode, res.body).toBe(200);
    return json<{ token: string }>(res).token;
  }

  async function createKey(token: string, payload: Record<string, unknown> = { name: 'extra' }): Promise<CreatedKey> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/me/keys', headers: bearer(token), payload });
    expect(res.statusCode, res.body).toBe(201);
    return json<CreatedKey>(res);
  }

  async function expectDead(label: string, authorization: string): Promise<void> {
    const res = await me(authorization);
    expect(res.statusCode, label).toBe(401);
    expect(json(res).error, label).toBe('UNAUTHENTICATED');
  }

  async function expectAlive(label: string, authorization: string): Promise<void> {
    const res = await me(authorization);
    expect(res.statusCode, `${label}: ${res.body}`).toBe(200);
  }

  describe('deactivating a user', () => {
    it("ends the user's JWTs, personal keys and key-minted JWTs on the very next request", async () => {
      await start();
      const minted = await keyJwt(bob.key.authorization);
      await expectAlive('password JWT', `Bearer ${bob.token}`);
      await expectAlive('personal key', bob.key.authorization);
      await expectAlive('key JWT', `Bearer ${minted}`);

      expectStatus(await patchUser(admin.token, bob.user.id, { is_active: false }), 200);

      await expectDead('password JWT', `Bearer ${bob.token}`);
      await expectDead('personal key', bob.key.authorization);
      await expectDead('key JWT', `Bearer ${minted}`);
      expectStatus(await exchange(bob.key.authorization), 401, 'UNAUTHENTICATED');
      expect((await verify(bob.token)).statusCode).toBe(400);
      expect((await refresh(bob.token)).statusCode).toBe(400);
      expect((await refresh(minted)).statusCode).toBe(400);
      expectStatus(await login('bob'), 400, 'INVALID_CREDENTIALS');
      // Others are untouched.
      await expectAlive('admin', `Bearer ${admin.token}`);
    });

    it('old JWTs stay dead after reactivation; a fresh login works', async () => {
      await start();
      expectStatus(await patchUser(admin.token, bob.user.id, { is_active: false }), 200);
      expectStatus(await patchUser(admin.token, bob.user.id, { is_active: true }), 200);
      await expectDead('JWT from before the deactivation', `Bearer ${bob.token}`);
      const fresh = expectStatus(await login('bob'), 200) as { token: string };
      await expectAlive('new JWT', `Bearer ${fresh.token}`);
    });

    it("deleting a user ends the user's tokens and keys", async () => {
      await start();
      const minted = await keyJwt(bob.key.authorization);
      expect((await deleteUser(admin.token, bob.user.id)).statusCode).toBe(204);
      await expectDead('password JWT', `Bearer ${bob.token}`);
      await expectDead('personal key', bob.key.authorization);
      await expectDead('key JWT', `Bearer ${minted}`);
      expectStatus(await exchange(bob.key.authorization), 401);
    });
  });

  describe('revoking a key', () => {
    it('DELETE /api/v2/me/keys/:keyId: the key cannot be exchanged and JWTs minted from it stop working', async () => {
      await start();
      const extra = await createKey(bob.token);
      const minted = await keyJwt(extra.authorization);
      const fromDefault = await keyJwt(bob.key.authorization);
      await expectAlive('key JWT', `Bearer ${minted}`);

      const res = await t.app.inject({ method: 'DELETE', url: `/api/v2/me/keys/${extra.id}`, headers: bearer(bob.token) });
      const revoked = expectStatus(res, 200) as unknown as PersonalKey;
      expect(revoked).toMatchObject({ id: extra.id, is_active: false });
      expect(revoked.revoked_at).toEqual(expect.any(String));

      expectStatus(await exchange(extra.authorization), 401, 'UNAUTHENTICATED');
      await expectDead('revoked key', extra.authorization);
      await expectDead('JWT minted from the revoked key', `Bearer ${minted}`);
      expect((await verify(minted)).statusCode).toBe(400);
      expect((await refresh(minted)).statusCode).toBe(400);

      // Only that key: bob's other key, its JWT and his password JWT still work.
      await expectAlive('other key', bob.key.authorization);
      await expectAlive('JWT from the other key', `Bearer ${fromDefault}`);
      await expectAlive('password JWT', `Bearer ${bob.token}`);

      const list = expectStatus(await t.app.inject({ method: 'GET', url: '/api/v2/me/keys', headers: bearer(bob.token) }), 200) as { results: PersonalKey[] };
      expect(list.results.find((k) => k.id === extra.id)).toMatchObject({ is_active: false });
      expect(list.results.find((k) => k.id === bob.key.id)).toMatchObject({ is_active: true });
    });

    it('DELETE /api/v2/admin/users/:id/keys/:keyId revokes the same way', async () => {
      await start();
      const minted = await keyJwt(bob.key.authorization);
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${bob.user.id}/keys/${bob.key.id}`, headers: bearer(admin.token) });
      expect(expectStatus(res, 200)).toMatchObject({ id: bob.key.id, is_active: false });
      expectStatus(await exchange(bob.key.authorization), 401);
      await expectDead('revoked key', bob.key.authorization);
      await expectDead('JWT minted from the revoked key', `Bearer ${minted}`);
      await expectAlive('password JWT', `Bearer ${bob.token}`);
    });

    it("a user cannot revoke someone else's key through /api/v2/me/keys", async () => {
      await start();
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v2/me/keys/${admin.key.id}`, headers: bearer(bob.token) });
      expectStatus(res, 404, 'KEY_NOT_FOUND');
      await expectAlive("admin's key", admin.key.authorization);
      // Nor through the admin route under the wrong user.
      const wrongUser = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${bob.user.id}/keys/${admin.key.id}`, headers: bearer(admin.token) });
      expectStatus(wrongUser, 404, 'KEY_NOT_FOUND');
      await expectAlive("admin's key", admin.key.authorization);
    });
  });

  describe('changing a password', () => {
    it("ends the user's earlier JWTs; the old password stops working and a new login works", async () => {
      await start();
      const minted = await keyJwt(bob.key.authorization);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v2/admin/users/${bob.user.id}/password`,
        headers: bearer(admin.token),
        payload: { password: NEW_PASSWORD },
      });
      expect(expectStatus(res, 200)).toMatchObject({ id: bob.user.id, username: 'bob' });

      await expectDead('JWT from before the change', `Bearer ${bob.token}`);
      await expectDead('key JWT from before the change', `Bearer ${minted}`);
      expect((await verify(bob.token)).statusCode).toBe(400);
      expect((await refresh(bob.token)).statusCode).toBe(400);

      expectStatus(await login('bob'), 400, 'INVALID_CREDENTIALS');
      const fresh = expectStatus(await login('bob', NEW_PASSWORD), 200) as { token: string };
      await expectAlive('JWT after the change', `Bearer ${fresh.token}`);
      await expectAlive('admin', `Bearer ${admin.token}`);
    });
  });

  describe('the last active superuser', () => {
    it('cannot be demoted, deactivated or deleted (an inactive superuser does not count)', async () => {
      await start();
      const ghost = await adminCreateUser(t.app, admin.token, { username: 'ghost', is_superuser: true, is_staff: true });
      expectStatus(await patchUser(admin.token, ghost.user.id, { is_active: false }), 200);

      expectStatus(await patchUser(admin.token, admin.user.id, { is_superuser: false }), 409, 'LAST_SUPERUSER');
      expectStatus(await patchUser(admin.token, admin.user.id, { is_active: false }), 409, 'LAST_SUPERUSER');
      expectStatus(await patchUser(admin.token, admin.user.id, { is_superuser: false, is_staff: false }), 409, 'LAST_SUPERUSER');
      expectStatus(await deleteUser(admin.token, admin.user.id), 409, 'LAST_SUPERUSER');

      const still = expectStatus(await t.app.inject({ method: 'GET', url: `/api/v2/admin/users/${admin.user.id}`, headers: bearer(admin.token) }), 200);
      expect(still).toMatchObject({ is_superuser: true, is_active: true, is_staff: true });
      await expectAlive('admin JWT', `Bearer ${admin.token}`);
      // Harmless edits still pass.
      expectStatus(await patchUser(admin.token, admin.user.id, { email: 'admin@example.com' }), 200);
    });

    it('can be demoted, deactivated or deleted once a second active superuser exists', async () => {
      await start();
      const second = await adminCreateUser(t.app, admin.token, { username: 'second', is_superuser: true });

      expect(expectStatus(await patchUser(second.token, admin.user.id, { is_active: false }), 200)).toMatchObject({ is_active: false });
      // Now `second` is the last active superuser.
      expectStatus(await patchUser(second.token, second.user.id, { is_superuser: false }), 409, 'LAST_SUPERUSER');
      expectStatus(await deleteUser(second.token, second.user.id), 409, 'LAST_SUPERUSER');

      expectStatus(await patchUser(second.token, admin.user.id, { is_active: true }), 200);
      const again = expectStatus(await login('admin'), 200) as { token: string };
      expect(expectStatus(await patchUser(again.token, second.user.id, { is_superuser: false }), 200)).toMatchObject({ is_superuser: false });
      // Demoted: the admin API is closed to `second` on the next request.
      expectStatus(await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(second.token) }), 403, 'SUPERUSER_REQUIRED');

      expectStatus(await patchUser(again.token, second.user.id, { is_superuser: true }), 200);
      expect((await deleteUser(second.token, admin.user.id)).statusCode).toBe(204);
      expectStatus(await deleteUser(second.token, second.user.id), 409, 'LAST_SUPERUSER');
    });

    it('two superusers demoting each other at once leave exactly one', async () => {
      await start();
      const second = await adminCreateUser(t.app, admin.token, { username: 'second', is_superuser: true });
      const results = await Promise.all([
        patchUser(admin.token, second.user.id, { is_superuser: false }),
        patchUser(second.token, admin.user.id, { is_superuser: false }),
      ]);
      const ok = results.filter((r) => r.statusCode === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((x) => x.statusCode !== 200)) {
        expect([403, 409]).toContain(r.statusCode);
      }
      expect((await t.services.users.list({ is_superuser: true, is_active: true })).count).toBe(1);
    });
  });

  describe('admin API access', () => {
    it('staff without superuser gets 403 SUPERUSER_REQUIRED on /api/v2/admin/*, by JWT and by personal key', async () => {
      await start();
      const staffer = await adminCreateUser(t.app, admin.token, { username: 'staffer', is_staff: true });
      expect(staffer.user).toMatchObject({ is_staff: true, is_superuser: false });

      for (const authorization of [`Bearer ${staffer.token}`, staffer.key.authorization, `Bearer ${bob.token}`]) {
        const requests = [
          { method: 'GET' as const, url: '/api/v2/admin/users' },
          { method: 'GET' as const, url: `/api/v2/admin/users/${admin.user.id}` },
          { method: 'POST' as const, url: '/api/v2/admin/users', payload: { username: 'sneaky', password: STRONG_PASSWORD, is_superuser: true } },
          { method: 'PATCH' as const, url: `/api/v2/admin/users/${staffer.user.id}`, payload: { is_superuser: true } },
          { method: 'DELETE' as const, url: `/api/v2/admin/users/${admin.user.id}` },
          { method: 'GET' as const, url: `/api/v2/admin/users/${admin.user.id}/keys` },
        ];
        for (const r of requests) {
          const res = await t.app.inject({ ...r, headers: { authorization } });
          expectStatus(res, 403, 'SUPERUSER_REQUIRED');
        }
      }
      // Nothing changed.
      const staffNow = await t.services.users.get(staffer.user.id);
      expect(staffNow.is_superuser).toBe(false);
      expect((await t.services.users.list({ search: 'sneaky' })).count).toBe(0);
      expect((await t.services.users.get(admin.user.id)).is_active).toBe(true);
      // The same user is fine on their own routes.
      await expectAlive('staffer', `Bearer ${staffer.token}`);
    });

    it('anonymous and bad credentials get 401 on /api/v2/admin/*', async () => {
      await start();
      for (const headers of [
        {},
        { authorization: 'Bearer not-a-token' },
        { authorization: 'PersonalKey nope:nope' },
        { authorization: 'Basic YWRtaW46eA==' },
      ]) {
        const list = await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers });
        expectStatus(list, 401, 'UNAUTHENTICATED');
        const create = await t.app.inject({ method: 'POST', url: '/api/v2/admin/users', headers, payload: { username: 'anon', password: STRONG_PASSWORD } });
        expectStatus(create, 401, 'UNAUTHENTICATED');
      }
      expect((await t.services.users.list({ search: 'anon' })).count).toBe(0);
      expectStatus(await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(admin.token) }), 200);
    });
  });

  describe('expiring keys', () => {
    it('a key created with expires_at stops working, with its JWTs, once the time passes', async () => {
      await start();
      const expiresAt = new Date(clock.now().getTime() + 10 * 60_000).toISOString();
      const key = await createKey(bob.token, { name: 'short-lived', expires_at: expiresAt });
      expect(key).toMatchObject({ name: 'short-lived', is_active: true });
      expect(Date.parse(key.expires_at!)).toBe(Date.parse(expiresAt));
      const minted = await keyJwt(key.authorization);

      clock.advance(9 * 60_000);
      await expectAlive('key before expiry', key.authorization);
      await expectAlive('key JWT before expiry', `Bearer ${minted}`);

      clock.advance(60_000);
      expectStatus(await exchange(key.authorization), 401, 'UNAUTHENTICATED');
      await expectDead('expired key', key.authorization);
      // The JWT itself is only 10 minutes old, but its key has expired.
      await expectDead('JWT minted from the expired key', `Bearer ${minted}`);
      expect((await refresh(minted)).statusCode).toBe(400);

      const list = expectStatus(await t.app.inject({ method: 'GET', url: '/api/v2/me/keys', headers: bearer(bob.token) }), 200) as { results: PersonalKey[] };
      expect(list.results.find((k) => k.id === key.id)).toMatchObject({ is_active: false, revoked_at: null });
      // Keys without an expiry are unaffected.
      await expectAlive('key without expiry', bob.key.authorization);
    });

    it('expires_in_days and the admin route work the same way; an expiry in the past is refused', async () => {
      await start();
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v2/admin/users/${bob.user.id}/keys`,
        headers: bearer(admin.token),
        payload: { name: 'one-day', expires_in_days: 1 },
      });
      const key = expectStatus(res, 201) as unknown as CreatedKey;
      await expectAlive('fresh key', key.authorization);
      clock.advance(86_400_000);
      await expectDead('day-old key', key.authorization);
      expectStatus(await exchange(key.authorization), 401);

      const fresh = expectStatus(await login('admin'), 200) as { token: string };
      const past = await t.app.inject({
        method: 'POST',
        url: '/api/v2/me/keys',
        headers: bearer(fresh.token),
        payload: { name: 'stale', expires_at: new Date(clock.now().getTime() - 1000).toISOString() },
      });
      expectStatus(past, 400, 'VALIDATION');
    });
  });
});
