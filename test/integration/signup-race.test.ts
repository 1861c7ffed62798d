import { afterEach, describe, expect, it } from 'vitest';
import { dialects, json, makeTestApp, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

describe.each(dialects())('first sign-up (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('50 concurrent sign-ups on an empty database yield exactly one superuser + staff; the rest get SIGNUPS_CLOSED', async () => {
    t = await makeTestApp(dialect);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: `racer${i}`, password: STRONG_PASSWORD } }),
      ),
    );
    const created = results.filter((r) => r.statusCode === 201);
    const refused = results.filter((r) => r.statusCode === 403);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(json(r).error).toBe('SIGNUPS_CLOSED');
    const winner = json<{ user: { is_superuser: boolean; is_staff: boolean }; first_administrator: boolean }>(created[0]!);
    expect(winner.user).toMatchObject({ is_superuser: true, is_staff: true });
    expect(winner.first_administrator).toBe(true);
    const page = await t.services.users.list({});
    expect(page.count).toBe(1);
  });

  it('with sign-up reopened, racing sign-ups give one superuser and ordinary users after it', async () => {
    t = await makeTestApp(dialect);
    const first = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'admin', password: STRONG_PASSWORD } });
    expect(first.statusCode).toBe(201);
    await t.services.settings.update({ userId: null, username: 'test', ip: null }, { IS_SIGNUPS_OPEN_AFTER_FIRST: true });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: `user${i}`, password: STRONG_PASSWORD } }),
      ),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    expect(results.map((r) => json<{ user: { is_superuser: boolean; is_staff: boolean } }>(r).user).every((u) => !u.is_superuser && !u.is_staff)).toBe(true);
    expect((await t.services.users.list({ is_superuser: true })).count).toBe(1);
  });
});
