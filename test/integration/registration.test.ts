import { afterEach, describe, expect, it } from 'vitest';
import { bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

describe.each(dialects())('registration rules (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());
  const su = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload });

  it('with a setup token configured, the first sign-up must carry it', async () => {
    t = await makeTestApp(dialect, { config: { setupToken: 'a-long-setup-token-1234' } });
    const state = json<{ has_users: boolean; signups_open: boolean; first_signup_needs_setup_token: boolean; password_rules: string[] }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/auth/registration' }),
    );
    expect(state).toMatchObject({ has_users: false, signups_open: true, first_signup_needs_setup_token: true });
    expect(state.password_rules.length).toBeGreaterThan(2);
    const missing = await su({ username: 'admin', password: STRONG_PASSWORD });
    expect(missing.statusCode).toBe(403);
    expect(json(missing).error).toBe('SETUP_TOKEN_REQUIRED');
    const wrong = await su({ username: 'admin', password: STRONG_PASSWORD, setup_token: 'a-long-setup-token-1235' });
    expect(json(wrong).error).toBe('SETUP_TOKEN_REQUIRED');
    expect(await t.services.users.list({})).toMatchObject({ count: 0 });
    const right = await su({ username: 'admin', password: STRONG_PASSWORD, setup_token: 'a-long-setup-token-1234' });
    expect(right.statusCode).toBe(201);
    expect(json<{ user: { is_superuser: boolean } }>(right).user.is_superuser).toBe(true);
  });

  it('closes after the first account; reopening makes ordinary users, or staff when IS_SIGNUP_STAFF_BY_DEFAULT is on', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    expect(admin.user).toMatchObject({ is_superuser: true, is_staff: true });
    expect(json(await su({ username: 'bob', password: STRONG_PASSWORD })).error).toBe('SIGNUPS_CLOSED');
    const put = (body: Record<string, boolean>) => t.app.inject({ method: 'PUT', url: '/api/v2/admin/settings', headers: bearer(admin.token), payload: body });
    expect((await put({ IS_SIGNUPS_OPEN_AFTER_FIRST: true })).statusCode).toBe(200);
    const bob = json<{ user: { is_staff: boolean; is_superuser: boolean } }>(await su({ username: 'bob', password: STRONG_PASSWORD }));
    expect(bob.user).toMatchObject({ is_staff: false, is_superuser: false });
    await put({ IS_SIGNUP_STAFF_BY_DEFAULT: true });
    const cat = json<{ user: { is_staff: boolean; is_superuser: boolean } }>(await su({ username: 'cat', password: STRONG_PASSWORD }));
    expect(cat.user).toMatchObject({ is_staff: true, is_superuser: false });
    await put({ IS_SIGNUPS_OPEN_AFTER_FIRST: false });
    expect(json(await su({ username: 'dan', password: STRONG_PASSWORD })).error).toBe('SIGNUPS_CLOSED');
  });

  it('rejects weak passwords naming the rule, and taken usernames regardless of case', async () => {
    t = await makeTestApp(dialect);
    const cases: Array<[string, string]> = [
      ['short1', 'min_length'],
      ['1234567890123', 'numeric'],
      ['adminadmin', 'similar_to_username'],
      ['password123', 'common'],
      ['x'.repeat(1025), 'max_length'],
    ];
    for (const [password, rule] of cases) {
      const res = await su({ username: 'adminadmin', password });
      expect(res.statusCode, password).toBe(400);
      expect(json<{ error: string; fields: Array<{ rule: string }> }>(res)).toMatchObject({ error: 'WEAK_PASSWORD', fields: [{ rule }] });
    }
    await signup(t.app, 'Admin');
    await t.services.settings.update({ userId: null, username: 'test', ip: null }, { IS_SIGNUPS_OPEN_AFTER_FIRST: true });
    const taken = await su({ username: 'ADMIN', password: STRONG_PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(json(taken).error).toBe('USERNAME_TAKEN');
  });
});
