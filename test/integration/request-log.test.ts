import { afterEach, describe, expect, it } from 'vitest';
import { bearer, dialects, makeTestApp, signup, type TestApp } from '../helpers/app.ts';

describe.each(dialects())('request log (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('regression: two long lines per request (incoming + completed) cost as much as /me itself; now one short line', async () => {
    const lines: string[] = [];
    t = await makeTestApp(dialect, { log: { write: (l: string) => void lines.push(...l.split('\n').filter(Boolean)) } });
    const admin = await signup(t.app, 'admin');
    lines.length = 0;
    await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(admin.token) });
    await t.app.inject({ method: 'GET', url: '/api/v2/admin/users?page=2&search=ad', headers: bearer(admin.token) });
    await t.app.inject({ method: 'GET', url: '/nowhere' });
    expect(lines).toHaveLength(3);
    const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; ms: number; ip: string });
    expect(entries.map((e) => e.msg)).toEqual(['GET /api/v2/me 200', 'GET /api/v2/admin/users?page=2&search=[redacted] 200', 'GET /nowhere 404']);
    for (const e of entries) {
      expect(e.level).toBe(30);
      expect(e.ms).toBeGreaterThanOrEqual(0);
      expect(e.ip).toBe('127.0.0.1');
    }
    for (const l of lines) expect(l.length).toBeLessThan(160);
    expect(lines.join('\n')).not.toContain(admin.token);
  });
});
