import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { bearer, dialects, json, makeTestApp, signup, tempDir, type TestApp } from '../helpers/app.ts';
import { startServer } from '../helpers/server-process.ts';

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

  it('regression: a percent-encoded invitation path (/accounts/%69nvite/<token>/) opened the live invitation and the log kept its token', async () => {
    const lines: string[] = [];
    t = await makeTestApp(dialect, { log: { write: (l: string) => void lines.push(...l.split('\n').filter(Boolean)) } });
    const admin = await signup(t.app, 'admin');
    const { token } = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }),
    );
    // Every byte of the token escaped too, so no raw run of it is left to spot.
    const hidden = [...token].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    lines.length = 0;
    const page = await t.app.inject({ method: 'GET', url: `/accounts/%69nvite/${token}/` });
    expect([page.statusCode, page.body.includes('<h1>You are invited</h1>')]).toEqual([200, true]);
    const api = await t.app.inject({ method: 'GET', url: `/api/v2/auth/%69nvitations/${hidden}` });
    expect([api.statusCode, json(api).status]).toEqual([200, 'valid']);
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toEqual(['GET /accounts/%69nvite/[redacted]/ 200', 'GET /api/v2/auth/%69nvitations/[redacted] 200']);
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(hidden);
  });
});

describe('request log of a real server (serve, stderr)', () => {
  it("holds every request's line in the one-line shape, the last ones before it stops too", async () => {
    const dataDir = tempDir();
    const server = await startServer(['--data-dir', dataDir]);
    try {
      for (let i = 0; i < 200; i++) expect((await fetch(`${server.url}/ht/`)).status).toBe(200);
    } finally {
      // Stopped at once: lines still on their way in pino's asynchronous destination must be written at exit.
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const lines = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"GET /ht/'));
    expect(lines).toHaveLength(200);
    for (const l of lines) expect(JSON.parse(l)).toEqual({ level: 30, time: expect.any(Number), ms: expect.any(Number), ip: '127.0.0.1', msg: 'GET /ht/ 200' });
  });
});
