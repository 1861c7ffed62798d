import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { dropSchema } from '../helpers/postgres.ts';

const RULES = ['min_length', 'numeric', 'similar_to_username', 'common', 'max_length'];

/** An error answer in the server's one format, with nothing internal in it. */
function expectCleanError(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = json(res);
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body).not.toHaveProperty('stack');
  expect(body).not.toHaveProperty('statusCode');
  expect(body).not.toHaveProperty('code');
  for (const leak of ['stack', 'sqlite', 'syntax error', 'select ', 'pool', 'destroyed', 'econnrefused', '$argon2', 'test$', 'at async', 'node_modules']) {
    expect(res.body.toLowerCase(), `leaks ${leak}`).not.toContain(leak);
  }
  return body;
}

describe.each(dialects())('error answers (%s)', (dialect) => {
  let t: TestApp | undefined;
  let dbClosed = false;
  afterEach(async () => {
    if (!t) return;
    if (dbClosed) {
      // The database is already closed: close the rest by hand.
      await t.app.close();
      if (t.pgSchema) await dropSchema(t.pgSchema);
      rmSync(t.dataDir, { recursive: true, force: true });
    } else {
      await t.close();
    }
    t = undefined;
    dbClosed = false;
  });

  it('an unknown route is a 404 NOT_FOUND in JSON, whatever the method and however near the real path', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const misses: Array<[string, string]> = [
      ['GET', '/nope'],
      ['POST', '/'],
      ['POST', '/api/v2/nope'],
      ['GET', '/ht'], // the health check is '/ht/', slash included
      ['POST', '/api-token-auth'], // Graphistry's path has the final slash
      ['GET', '/api/v2/auth/token/generate/'],
      ['PUT', '/ht/'],
      ['DELETE', '/api/v2/admin/users'],
      ['GET', '/API/V2/ME'],
      ['GET', `/${'x'.repeat(3000)}`],
      ['GET', '/api/v2/admin/users/1/nope'],
    ];
    for (const [method, url] of misses) {
      for (const headers of [{}, bearer(admin.token)]) {
        const res = await t.app.inject({ method: method as 'GET', url, headers });
        const body = expectCleanError(res, 404, 'NOT_FOUND');
        expect(String(body.message).length).toBeLessThan(300);
      }
    }
  });

  it('a handler failing unexpectedly (database closed) is a 500 INTERNAL with a generic message and no detail', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    // Prove the requests below work while the database is up.
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/admin/users', headers: bearer(admin.token) })).statusCode).toBe(200);
    await t.db.close();
    dbClosed = true;
    const requests = [
      { method: 'GET' as const, url: '/api/v2/admin/users', headers: bearer(admin.token) },
      { method: 'GET' as const, url: '/api/v2/me', headers: bearer(admin.token) },
      { method: 'GET' as const, url: '/api/v2/auth/registration' },
      { method: 'POST' as const, url: '/api/v2/auth/signup', payload: { username: 'second', password: STRONG_PASSWORD } },
    ];
    for (const r of requests) {
      const res = await t.app.inject(r);
      const body = expectCleanError(res, 500, 'INTERNAL');
      expect(body.message).toBe('Internal server error.');
      expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    }
    // Graphistry's DRF-style routes answer in their shape too, still without detail.
    for (const url of ['/api-token-auth/', '/api/v2/auth/token/generate']) {
      const drf = await t.app.inject({ method: 'POST', url, payload: { username: 'admin', password: STRONG_PASSWORD } });
      const body = expectCleanError(drf, 500, 'INTERNAL');
      expect(body).toEqual({ error: 'INTERNAL', message: 'Internal server error.', non_field_errors: ['Internal server error.'] });
    }
  });

  it('a password failing the policy names the rule, on every route that sets one', async () => {
    t = await makeTestApp(dialect);
    const weak: Array<[string, string]> = [
      ['short', 'min_length'],
      ['12345678901', 'numeric'],
      ['password123', 'common'],
      ['p'.repeat(1025), 'max_length'],
    ];
    // The first sign-up (registration open) checks the policy before anything is created.
    for (const [password, rule] of [...weak, ['firstadmin', 'similar_to_username']]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'firstadmin', password } });
      const body = expectCleanError(res, 400, 'WEAK_PASSWORD');
      const fields = body.fields as Array<{ field: string; rule: string; message: string }>;
      expect(fields[0]!.field).toBe('password');
      expect(fields[0]!.rule).toBe(rule);
      expect(RULES).toContain(fields[0]!.rule);
      expect(fields[0]!.message.length).toBeGreaterThan(0);
    }
    expect((await t.services.users.list({})).count).toBe(0);

    const admin = await signup(t.app, 'admin');
    const victim = await adminCreateUser(t.app, admin.token, { username: 'victimuser' });
    // Create-user compares with the new username; set-password with the target's.
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ...weak.map(([password, rule]): [string, Record<string, unknown>, string] => ['/api/v2/admin/users', { username: 'newperson1', password }, rule]),
      ...weak.map(([password, rule]): [string, Record<string, unknown>, string] => [`/api/v2/admin/users/${victim.user.id}/password`, { password }, rule]),
      ['/api/v2/admin/users', { username: 'newperson1', password: 'NewPerson1' }, 'similar_to_username'],
      [`/api/v2/admin/users/${victim.user.id}/password`, { password: 'VictimUser' }, 'similar_to_username'],
    ];
    for (const [url, payload, rule] of cases) {
      const res = await t.app.inject({ method: 'POST', url, headers: bearer(admin.token), payload });
      const body = expectCleanError(res, 400, 'WEAK_PASSWORD');
      const fields = body.fields as Array<{ field: string; rule: string }>;
      expect(fields[0]!.field).toBe('password');
      expect(fields[0]!.rule, `${url} ${String(payload.password).slice(0, 20)}`).toBe(rule);
    }
    // Nothing weak got through: only the two real accounts exist and the victim's password is unchanged.
    expect((await t.services.users.list({})).count).toBe(2);
    const login = await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username: 'victimuser', password: STRONG_PASSWORD } });
    expect(login.statusCode).toBe(200);
  });
});
