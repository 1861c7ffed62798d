import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';
import { get, post, startServer, type ServerProcess } from '../helpers/server-process.ts';

const pgOnly = dialects().includes('postgres') ? describe : describe.skip;

pgOnly('two server processes on one PostgreSQL database', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function twoServers(): Promise<[ServerProcess, ServerProcess]> {
    const schema = await createSchema();
    cleanups.push(() => dropSchema(schema));
    const url = urlWithSchema(schema);
    // Separate data dirs, one shared .env: both processes must sign and check the same keys.
    const dirA = tempDir();
    const dirB = tempDir();
    cleanups.push(async () => {
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    });
    const a = await startServer(['--data-dir', dirA, '--database-url', url]);
    cleanups.push(() => a.stop());
    const { copyFileSync } = await import('node:fs');
    copyFileSync(`${dirA}/.env`, `${dirB}/.env`);
    const b = await startServer(['--data-dir', dirB, '--database-url', url]);
    cleanups.push(() => b.stop());
    return [a, b];
  }

  it('racing first sign-ups across both processes give exactly one superuser', async () => {
    const [a, b] = await twoServers();
    const attempts = Array.from({ length: 30 }, (_, i) =>
      post(`${(i % 2 ? a : b).url}/api/v2/auth/signup`, { username: `racer${i}`, password: STRONG_PASSWORD }),
    );
    const results = await Promise.all(attempts);
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.status === 403 && r.body.error === 'SIGNUPS_CLOSED')).toHaveLength(29);
    expect(created[0]!.body.user).toMatchObject({ is_superuser: true, is_staff: true });
    const token = created[0]!.body.token as string;
    const list = await get(`${a.url}/api/v2/admin/users?is_superuser=true`, { authorization: `Bearer ${token}` });
    expect(list.body.count).toBe(1);
  });

  it('a setting changed through one process is obeyed by the other on its next request', async () => {
    const [a, b] = await twoServers();
    const admin = await post(`${a.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    expect(admin.status).toBe(201);
    const auth = { authorization: `Bearer ${admin.body.token as string}` };
    expect((await post(`${b.url}/api/v2/auth/signup`, { username: 'early', password: STRONG_PASSWORD })).body.error).toBe('SIGNUPS_CLOSED');
    const put = await fetch(`${a.url}/api/v2/admin/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ IS_SIGNUPS_OPEN_AFTER_FIRST: true, IS_SIGNUP_STAFF_BY_DEFAULT: true }),
    });
    expect(put.status).toBe(200);
    const later = await post(`${b.url}/api/v2/auth/signup`, { username: 'later', password: STRONG_PASSWORD });
    expect(later.status).toBe(201);
    expect(later.body.user).toMatchObject({ is_staff: true, is_superuser: false });
    // And the JWT minted by one process is honoured by the other.
    expect((await get(`${b.url}/api/v2/me`, auth)).body.username).toBe('admin');
  });
});
